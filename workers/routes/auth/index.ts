import { Hono } from "hono";
import { describeError, log } from "../../../core/log";
import { endAccessTokens, revokeOwnFamily, rotateRefreshToken } from "../../auth/sessions";
import type { AppEnv } from "../../context";
import { requireAuth } from "../../middleware/auth";
import { idempotent, refusesIdempotencyKey } from "../../middleware/idempotency";
import { limitLogin, limitRefresh, limitSignup } from "../../middleware/rate-limit";
import { presentUser } from "../../presenters";
import { logIn, signUp } from "../../services/accounts";
import { requestSlackLink } from "../../services/slack-link";
import { invalidateUser } from "../../services/user-lookup";
import { validate } from "../../validation";
import { slackLinkDeps } from "../slack-link-deps";
import { LogInBody, RefreshTokenBody, SignUpBody } from "./schemas";

export const authRoutes = new Hono<AppEnv>()
  .post("/signup", validate("json", SignUpBody), limitSignup(), idempotent(), async (c) => {
    const { slackId, ...body } = c.req.valid("json");
    const db = await c.var.deps.db.db();
    const user = await signUp(db, body);
    // A Slack id given here is only sent its code (docs/decisions/0026); the account stands
    // even when the code cannot go out, and the member sets the id again later.
    if (slackId) {
      try {
        return c.json(
          presentUser(await requestSlackLink(slackLinkDeps(c.var.deps, db), user, slackId)),
          201,
        );
      } catch (err) {
        log.warn("slack_link.signup_code_failed", { userId: user.id, error: describeError(err) });
      }
    }
    return c.json(presentUser(user), 201);
  })
  .post("/login", validate("json", LogInBody), limitLogin(), refusesIdempotencyKey(), async (c) => {
    const { config, db } = c.var.deps;
    return c.json(await logIn(await db.db(), config, c.req.valid("json")), 200);
  })
  .post(
    "/refresh",
    validate("json", RefreshTokenBody),
    limitRefresh(),
    refusesIdempotencyKey(),
    async (c) => {
      const { config, db } = c.var.deps;
      const pair = await rotateRefreshToken(
        await db.db(),
        config,
        c.req.valid("json").refreshToken,
      );
      return c.json(pair, 200);
    },
  )
  .post("/logout", requireAuth(), validate("json", RefreshTokenBody), idempotent(), async (c) => {
    const { userId } = c.var.caller;
    const { db, revocations } = c.var.deps;
    // Every access token of the account issued until now dies, not only this device's: a
    // bearer token names no device. Other devices get a new one with their refresh token,
    // whose family lives on; this device's family ends here (docs/decisions/0024).
    const revokedAt = await revocations.revokeUntilNow(userId);
    const conn = await db.db();
    await endAccessTokens(conn, userId, revokedAt);
    await invalidateUser(c.var.deps, userId);
    await revokeOwnFamily(conn, userId, c.req.valid("json").refreshToken);
    return c.body(null, 204);
  });
