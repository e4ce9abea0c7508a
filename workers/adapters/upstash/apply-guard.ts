import type { Redis } from "@upstash/redis/cloudflare";
import type { ApplyGuard, ApplyVerdict } from "../../../core/ports/apply-guard";
import { revocationKey } from "../../auth/revocations";
import { describeError, log } from "../../lib/log";
import { fastRedisClient } from "./client";
import { retryAfterSeconds } from "./rate-limiter";

/**
 * One script, one REST call: count the member's attempt in a fixed window (INCR, and the
 * window's expiry set by the attempt that created it, atomically, as @upstash/ratelimit's
 * fixed window does) and read the revocation marker. On the hot path this replaced two
 * parallel calls (the SDK's limiter and a cache GET): half the requests to Redis.
 */
const SCRIPT = `
local count = redis.call("INCR", KEYS[1])
if count == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[1]) end
return { count, redis.call("GET", KEYS[2]) }`;

const PREFIX = "tryit:rl:apply";
const MAX_BLOCKED_ENTRIES = 10_000;
/** Members over their limit, with the window's end: refused from memory until then. */
const blocked = new Map<string, number>();
const clients = new Map<string, Redis>();
let warned = false;

export function upstashApplyGuard(
  redis: { url: string; token: string },
  timeoutMs: number,
): ApplyGuard {
  return {
    enabled: true,
    async check(userId, issuedAtSeconds, rule): Promise<ApplyVerdict> {
      const now = Date.now();
      const windowMs = rule.windowSeconds * 1000;
      const window = Math.floor(now / windowMs);
      const resetAt = (window + 1) * windowMs;
      // A member id is not personal data like an e-mail or an address: no digest needed.
      const rateKey = `${PREFIX}:${rule.name}:${rule.limit}:${userId}:${window}`;
      const blockedUntil = blocked.get(rateKey);
      if (blockedUntil !== undefined && blockedUntil > now) {
        return {
          ok: false,
          reason: "rate-limited",
          retryAfterSeconds: retryAfterSeconds(blockedUntil, now),
        };
      }
      let answer: [number, string | null];
      try {
        answer = (await client(redis, timeoutMs).eval(
          SCRIPT,
          [rateKey, revocationKey(userId)],
          [String(windowMs)],
        )) as [number, string | null];
      } catch (err) {
        // As the cache and the limiter do: a Redis that is down must not close the door.
        if (!warned) {
          warned = true;
          log.warn("apply_guard.unavailable", { error: describeError(err), effect: "unchecked" });
        }
        return { ok: true };
      }
      const [count, revokedAt] = answer;
      if (revokedAt !== null && issuedAtSeconds * 1000 <= Number(revokedAt)) {
        return { ok: false, reason: "revoked" };
      }
      if (count > rule.limit) {
        remember(rateKey, resetAt, now);
        return {
          ok: false,
          reason: "rate-limited",
          retryAfterSeconds: retryAfterSeconds(resetAt, now),
        };
      }
      return { ok: true };
    },
  };
}

function client(redis: { url: string; token: string }, timeoutMs: number): Redis {
  const id = `${redis.url}\n${redis.token}\n${timeoutMs}`;
  let c = clients.get(id);
  if (!c) {
    c = fastRedisClient(redis, timeoutMs);
    if (clients.size >= 16) clients.clear();
    clients.set(id, c);
  }
  return c;
}

function remember(key: string, until: number, now: number): void {
  if (blocked.size >= MAX_BLOCKED_ENTRIES) {
    for (const [k, t] of blocked) if (t <= now) blocked.delete(k);
  }
  blocked.set(key, until);
}
