import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { requireAuth } from "../../middleware/auth";
import { myApplicationRoutes } from "./applications";
import { myNotificationRoutes } from "./notifications";
import { myStrikeRoutes } from "./strikes";

/**
 * /v1/me — the signed-in caller's own things, any role. The guard sits here once, so every
 * route mounted below is the caller's and only the caller's.
 */
export const meRoutes = new Hono<AppEnv>()
  .use(requireAuth())
  .route("/notifications", myNotificationRoutes)
  .route("/strikes", myStrikeRoutes)
  .route("/", myApplicationRoutes);
