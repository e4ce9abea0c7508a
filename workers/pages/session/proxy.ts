import { Hono } from "hono";
import type { PagesEnv } from "../context";

/**
 * /session/v1/* → /v1/* as the session's user: how the pages' script applies, fetches a live
 * ticket or reads its own application without ever holding a token (docs/decisions/0038).
 * The request goes through the same routes as any client's; hono/csrf (pages/security.ts)
 * refuses a state change from another origin before it gets here.
 */

/** Request headers the API reads, passed through; cookies never are. */
const PASSED = ["content-type", "idempotency-key", "if-none-match"];

export const sessionProxy = new Hono<PagesEnv>().all("/session/v1/*", async (c) => {
  const url = new URL(c.req.url);
  const path = `${url.pathname.slice("/session/v1".length)}${url.search}`;
  const headers = new Headers();
  for (const name of PASSED) {
    const value = c.req.header(name);
    if (value) headers.set(name, value);
  }
  const hasBody = c.req.method !== "GET" && c.req.method !== "HEAD";
  const res = await c.var.api.raw(c.req.method, path, {
    headers,
    body: hasBody ? await c.req.arrayBuffer() : null,
  });
  // The answer as the API gave it; Hono adds the cookies a renewal set (setCookie above).
  return new Response(res.body, res);
});
