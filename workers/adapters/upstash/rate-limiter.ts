import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import type { RateDecision, RateLimiter, RateRule } from "../../../core/ports/rate-limiter";
import { describeError, log } from "../../lib/log";

/** Past this, a check gives up and lets the request through (the SDK's `timeout`). */
const CHECK_TIMEOUT_MS = 1000;
const PREFIX = "tryit:rl";
const MAX_BLOCKED_ENTRIES = 10_000;

/**
 * Identifiers that have used up their window, with the window's end (ms). Held at module
 * level so it outlives the request: while the isolate is warm, a bot hammering the same
 * key is refused from memory without a Redis round trip (the SDK's `ephemeralCache`).
 * Entries are keyed by prefix + rule + key, so one Map serves every rule.
 */
const blocked = new Map<string, number>();
const limiters = new Map<string, Ratelimit>();
let warnedUnavailable = false;

/**
 * The port on Upstash Redis with `@upstash/ratelimit`, one fixed window per rule.
 *
 * Fixed rather than sliding window: the SDK's `reset` is then the exact moment the caller
 * may try again, so Retry-After tells the truth. With the sliding window, `reset` is the
 * end of the current bucket while the weighted previous bucket can still refuse, so a
 * client that waits as told may be refused again. The fixed window's cost, up to twice
 * the limit in a burst straddling a boundary, leaves the long-run rate (what brute force
 * needs) unchanged.
 */
export function upstashRateLimiter(redis: { url: string; token: string }): RateLimiter {
  return {
    enabled: true,
    async check(rule: RateRule, key: string): Promise<RateDecision> {
      sweepExpired(Date.now());
      try {
        const result = await limiterFor(redis, rule).limit(`${rule.name}:${key}`);
        if (result.reason === "timeout") {
          warnOnce(`no answer within ${CHECK_TIMEOUT_MS} ms`);
          return { ok: true };
        }
        return result.success
          ? { ok: true }
          : { ok: false, retryAfterSeconds: retryAfterSeconds(result.reset, Date.now()) };
      } catch (err) {
        // Refusing every login because the limiter's store is down is worse than a few
        // unthrottled attempts: fail open.
        warnOnce(describeError(err));
        return { ok: true };
      }
    },
  };
}

/** Whole seconds until `resetMs` (epoch ms), rounded up and never below 1. */
export function retryAfterSeconds(resetMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((resetMs - nowMs) / 1000));
}

/**
 * One Ratelimit per store and rule, kept for the isolate's life (the SDK keeps its script
 * hashes on the instance). The limit and window are part of the key, so a changed
 * configuration gets a fresh instance.
 */
function limiterFor(redis: { url: string; token: string }, rule: RateRule): Ratelimit {
  const id = [redis.url, redis.token, rule.name, rule.limit, rule.windowSeconds].join("\n");
  let limiter = limiters.get(id);
  if (!limiter) {
    limiter = new Ratelimit({
      redis: new Redis({
        url: redis.url,
        token: redis.token,
        // Fail open at once: a retry would only add latency to a login whose limiter is down.
        retry: false,
        enableTelemetry: false,
      }),
      limiter: Ratelimit.fixedWindow(rule.limit, `${rule.windowSeconds} s`),
      prefix: PREFIX,
      ephemeralCache: blocked,
      timeout: CHECK_TIMEOUT_MS,
      analytics: false,
      enableTelemetry: false,
    });
    limiters.set(id, limiter);
  }
  return limiter;
}

/**
 * The SDK forgets a blocked identifier only when it sees it again after its window; a bot
 * rotating keys would grow the Map for the isolate's life. Past a bound, drop what expired.
 */
function sweepExpired(now: number): void {
  if (blocked.size < MAX_BLOCKED_ENTRIES) return;
  for (const [id, reset] of blocked) if (reset <= now) blocked.delete(id);
}

function warnOnce(error: string): void {
  if (warnedUnavailable) return;
  warnedUnavailable = true;
  log.warn("rate_limit.unavailable", { error, effect: "requests pass unlimited" });
}
