import { Hono } from "hono";
import openApiDocument from "../../openapi/openapi.json" with { type: "json" };
import type { AppEnv } from "../context";

/**
 * GET /openapi.json: the committed document (`npm run openapi:generate`), served as built, so
 * every runtime answers the same bytes without generating anything per request. Imported with
 * the JSON attribute, which Deno requires and wrangler's bundler and vitest accept.
 */
export const openApiRoutes = new Hono<AppEnv>().get("/openapi.json", (c) =>
  c.json(openApiDocument, 200),
);
