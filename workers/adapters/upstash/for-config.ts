import { type ApplyGuard, noApplyGuard } from "../../../core/ports/apply-guard";
import { type Cache, noCache } from "../../../core/ports/cache";
import { noRateLimits, type RateLimiter } from "../../../core/ports/rate-limiter";
import type { Config } from "../../config";
import { upstashApplyGuard } from "./apply-guard";
import { upstashCache } from "./cache";
import { upstashRateLimiter } from "./rate-limiter";

/** The cache for a configuration: shared by requests, the consumers and cron, on any runtime. */
export function cacheFor(config: Config): Cache {
  // upstashCache hands back one client per isolate and configuration, not one per request.
  return config.redis ? upstashCache(config.redis, { timeoutMs: config.cacheTimeoutMs }) : noCache;
}

/** The apply route's one-round-trip checks; off without Redis, like the cache and limits. */
export function applyGuardFor(config: Config): ApplyGuard {
  return config.redis ? upstashApplyGuard(config.redis, config.cacheTimeoutMs) : noApplyGuard;
}

/** Rate limits need Redis; without it they are off, like the cache. */
export function limiterFor(config: Config): RateLimiter {
  return config.redis ? upstashRateLimiter(config.redis) : noRateLimits;
}
