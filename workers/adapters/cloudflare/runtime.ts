import { type Cache, noCache } from "../../../core/ports/cache";
import { noRateLimits } from "../../../core/ports/rate-limiter";
import { DatabaseSession } from "../../../db/client";
import { type Config, parseConfig } from "../../config";
import type { Runtime } from "../../context";
import { upstashCache } from "../upstash/cache";
import { upstashRateLimiter } from "../upstash/rate-limiter";
import { r2BlobStore } from "./blob-store";
import { durableObjectGates } from "./gates";

/** The cache for a configuration: shared by requests, the queue consumer and cron. */
export function cacheFor(config: Config): Cache {
  // upstashCache hands back one client per isolate and configuration, not one per request.
  return config.redis ? upstashCache(config.redis, { timeoutMs: config.cacheTimeoutMs }) : noCache;
}

/** Cloudflare's implementations of the ports, built from the request's bindings. */
export const cloudflareRuntime: Runtime = {
  deps(c) {
    const env = c.env as Env;
    const config = parseConfig(env as unknown as Record<string, unknown>);
    return {
      config,
      db: new DatabaseSession(config.database),
      gates: durableObjectGates(env.TRIAL_GATE),
      cache: cacheFor(config),
      blobs: r2BlobStore(env.IMAGES),
      limiter: config.redis ? upstashRateLimiter(config.redis) : noRateLimits,
      // Cloudflare sets this header on every request that reaches a Worker.
      clientIp: c.req.header("cf-connecting-ip") ?? "unknown",
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    };
  },
};
