import { type Cache, noCache } from "../../../core/ports/cache";
import type { Config } from "../../config";
import { upstashCache } from "./cache";

/**
 * The cache for a configuration: shared by requests, the consumers and cron, on any runtime.
 * Redis is the read cache and nothing else: rate limits live on the platform (0020).
 */
export function cacheFor(config: Config): Cache {
  // upstashCache hands back one client per isolate and configuration, not one per request.
  return config.redis ? upstashCache(config.redis, { timeoutMs: config.cacheTimeoutMs }) : noCache;
}
