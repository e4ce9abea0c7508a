import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { requireAuth } from "../../middleware/auth";
import { presentUser } from "../../presenters";
import { getLiveUser } from "../../services/accounts";

export const userRoutes = new Hono<AppEnv>().get("/me", requireAuth(), async (c) => {
  const user = await getLiveUser(await c.var.deps.db.db(), c.var.caller.userId);
  // A valid token for an account that no longer exists is no credential at all.
  if (!user) throw new AppError("UNAUTHORIZED", "This account no longer exists.");
  return c.json(presentUser(user), 200);
});
