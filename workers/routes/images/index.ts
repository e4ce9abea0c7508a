import { Hono } from "hono";
import type { AppEnv } from "../../context";

/** /v1/images — raw image uploads into the blob store (being built in issue 3). */
export const imageRoutes = new Hono<AppEnv>();
