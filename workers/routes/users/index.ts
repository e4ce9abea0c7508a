import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { requireAuth } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { limitSlackCodes, limitSlackVerify } from "../../middleware/rate-limit";
import { presentUser } from "../../presenters";
import { changePassword, deleteAccount, getLiveUser, updateProfile } from "../../services/accounts";
import { changeSlackId, verifySlackCode } from "../../services/slack-link";
import { findLiveUserCached, invalidateUser } from "../../services/user-lookup";
import { memberReliability } from "../../strikes/reliability";
import { validate } from "../../validation";
import { slackLinkDeps } from "../slack-link-deps";
import { ChangePasswordBody, UpdateMeBody, VerifySlackBody } from "./schemas";

export const userRoutes = new Hono<AppEnv>()
  .get("/me", requireAuth(), async (c) => {
    const user = await findLiveUserCached(c.var.deps, c.var.caller.userId);
    // A valid token for an account that no longer exists is no credential at all.
    if (!user) throw new AppError("UNAUTHORIZED", "This account no longer exists.");
    // A member's reliability is read from Postgres on every request, never cached with the
    // user: strikes, appeals and journeys change it from jobs and other accounts' requests,
    // which would all have to remember the cache (docs/decisions/0036).
    const reliability =
      user.role === "MEMBER" ? await memberReliability(await c.var.deps.db.db(), user.id) : null;
    return c.json({ ...user, reliability }, 200);
  })
  .patch(
    "/me",
    requireAuth(),
    validate("json", UpdateMeBody),
    limitSlackCodes(),
    idempotent(),
    async (c) => {
      const { userId } = c.var.caller;
      const { name, slackId } = c.req.valid("json");
      const db = await c.var.deps.db.db();
      let user = await getLiveUser(db, userId);
      if (!user) throw new AppError("UNAUTHORIZED", "This account no longer exists.");
      // The Slack id first: when its code cannot be sent, nothing of the request is applied.
      if (slackId !== undefined) {
        user = await changeSlackId(slackLinkDeps(c.var.deps, db), user, slackId);
      }
      if (name !== undefined) user = await updateProfile(db, userId, { name });
      await invalidateUser(c.var.deps, userId);
      return c.json(presentUser(user), 200);
    },
  )
  // The code a Slack DM brought: only now is the pending id linked (docs/decisions/0026).
  .post(
    "/me/slack/verify",
    requireAuth(),
    validate("json", VerifySlackBody),
    limitSlackVerify(),
    idempotent(),
    async (c) => {
      const { userId } = c.var.caller;
      const { db, config } = c.var.deps;
      const user = await verifySlackCode(
        { db: await db.db(), secret: config.jwtSecret },
        userId,
        c.req.valid("json").code,
      );
      await invalidateUser(c.var.deps, userId);
      return c.json(presentUser(user), 200);
    },
  )
  .put(
    "/me/password",
    requireAuth(),
    validate("json", ChangePasswordBody),
    idempotent(),
    async (c) => {
      const { userId } = c.var.caller;
      const { db, revocations } = c.var.deps;
      await changePassword(await db.db(), userId, c.req.valid("json"), () =>
        revocations.revokeUntilNow(userId),
      );
      await invalidateUser(c.var.deps, userId);
      return c.body(null, 204);
    },
  )
  .delete("/me", requireAuth(), idempotent(), async (c) => {
    const { userId } = c.var.caller;
    const { db, revocations } = c.var.deps;
    // The revocation first (docs/decisions/0024): the apply path, which looks nobody up,
    // refuses the account's tokens within a second, this isolate at once.
    const revokedAt = await revocations.revokeUntilNow(userId);
    await deleteAccount(await db.db(), userId, revokedAt);
    // Awaited: every route that looks the caller up refuses the account's tokens from the
    // very next request on.
    await invalidateUser(c.var.deps, userId);
    return c.body(null, 204);
  });
