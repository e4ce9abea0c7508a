import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { requireAuth } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { presentUser } from "../../presenters";
import { changePassword, deleteAccount, updateProfile } from "../../services/accounts";
import { findLiveUserCached, invalidateUser } from "../../services/user-lookup";
import { validate } from "../../validation";
import { ChangePasswordBody, UpdateMeBody } from "./schemas";

export const userRoutes = new Hono<AppEnv>()
  .get("/me", requireAuth(), async (c) => {
    const user = await findLiveUserCached(c.var.deps, c.var.caller.userId);
    // A valid token for an account that no longer exists is no credential at all.
    if (!user) throw new AppError("UNAUTHORIZED", "This account no longer exists.");
    return c.json(user, 200);
  })
  .patch("/me", requireAuth(), validate("json", UpdateMeBody), idempotent(), async (c) => {
    const { userId } = c.var.caller;
    const user = await updateProfile(await c.var.deps.db.db(), userId, c.req.valid("json"));
    await invalidateUser(c.var.deps, userId);
    return c.json(presentUser(user), 200);
  })
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
    // The revocation first (docs/decisions/0029): the apply path, which looks nobody up,
    // refuses the account's tokens within a second, this isolate at once.
    const revokedAt = await revocations.revokeUntilNow(userId);
    await deleteAccount(await db.db(), userId, revokedAt);
    // Awaited: every route that looks the caller up refuses the account's tokens from the
    // very next request on.
    await invalidateUser(c.var.deps, userId);
    return c.body(null, 204);
  });
