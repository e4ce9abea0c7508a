import { Redis } from "@upstash/redis/cloudflare";

/**
 * The Upstash REST client as the hot paths need it (the cache and the apply guard): one
 * try, a bounded wait, raw strings. May throw on a configuration the SDK refuses.
 */
export function fastRedisClient(redis: { url: string; token: string }, timeoutMs: number): Redis {
  return new Redis({
    url: redis.url,
    token: redis.token,
    // We serialize ourselves, so a value that is not our JSON is noticed, not passed on.
    automaticDeserialization: false,
    // Batching across concurrent requests would resolve one request's promise from
    // another request's fetch, which workerd forbids.
    enableAutoPipelining: false,
    // One try: a retry after a failure would only make a miss (or a check) slower.
    retry: { retries: 0, backoff: () => 0 },
    enableTelemetry: false,
    // A fresh signal per command, so a stalled answer is abandoned, not left running.
    signal: () => AbortSignal.timeout(timeoutMs),
  });
}
