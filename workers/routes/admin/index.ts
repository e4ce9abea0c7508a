import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { requireAuth, requireRole } from "../../middleware/auth";
import { adminStatsRoutes } from "../stats/admin-rebuild";
import { adminAppealRoutes } from "./appeals";
import { adminUserRoutes } from "./users";

/**
 * /v1/admin — ADMIN-only operations. The gate sits here, once, in front of every admin
 * route, so an admin route added later cannot forget it.
 */
export const adminRoutes = new Hono<AppEnv>()
  .use(requireAuth(), requireRole("ADMIN"))
  .route("/users", adminUserRoutes)
  .route("/stats", adminStatsRoutes)
  .route("/appeals", adminAppealRoutes);
