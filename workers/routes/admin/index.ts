import { Hono } from "hono";
import type { AppEnv } from "../../context";

/** /v1/admin — ADMIN-only operations (being built in issue 3). */
export const adminRoutes = new Hono<AppEnv>();
