import { Hono } from "hono";
import type { AppEnv } from "../context";
import { AppError } from "../errors";

/**
 * GET /metrics: the Prometheus text of this process (Deno), for a scraper holding
 * METRICS_TOKEN. Where the runtime keeps no counters (Workers: Analytics Engine) or no token
 * is configured, there is no such endpoint (404), so nothing is ever served unguarded.
 */
export const metricsRoutes = new Hono<AppEnv>().get("/metrics", async (c) => {
  const { metricsText, config } = c.var.deps;
  if (!metricsText || !config.metricsToken) {
    throw new AppError("NOT_FOUND", "No metrics endpoint on this deployment.");
  }
  const given = c.req.header("authorization") ?? "";
  if (!(await sameSecret(given, `Bearer ${config.metricsToken}`))) {
    throw new AppError("UNAUTHORIZED", "GET /metrics needs the metrics bearer token.");
  }
  return c.text(metricsText(), 200, { "content-type": "text/plain; version=0.0.4" });
});

/** Compared through digests of equal length, so the time taken says nothing about the token. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [x, y] = await Promise.all(
    [a, b].map(async (s) => new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(s)))),
  );
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= (x?.[i] ?? 0) ^ (y?.[i] ?? 0);
  return diff === 0;
}
