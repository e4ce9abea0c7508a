import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { log } from "../../core/log";
import type { AppEnv } from "../context";

/**
 * One JSON line per request: its id (the caller's x-request-id when sane), method, the
 * matched route pattern (not the raw path: ids stay out of aggregates), status and latency.
 * Never headers, bodies or query strings: that is where tokens and passwords travel.
 */
export const requestLog = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const status = c.res.status;
      const fields = {
        requestId: c.get("requestId"),
        method: c.req.method,
        route: routeOf(matchedRoutes(c)),
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      if (status >= 500) log.error("request", fields);
      else log.info("request", fields);
    }
  });

/** The pattern of the handler that answered (the last matched route that is not a "*"). */
function routeOf(matched: readonly { path: string; method: string }[]): string {
  for (let i = matched.length - 1; i >= 0; i--) {
    const route = matched[i];
    if (route && route.method !== "ALL") return route.path;
  }
  return "(unmatched)";
}
