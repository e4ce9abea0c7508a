import { describeError, log } from "../core/log.ts";
import {
  fixedWindow,
  type RateDecision,
  type RateLimiter,
  retryAfterSeconds,
} from "../core/ports/rate-limiter.ts";

/**
 * Deno's rate limiting (docs/decisions/0020): a rule on the apply hot path is counted in the
 * isolate, with no network call; every other rule (login, sign-up, refresh, uploads) in a
 * Deno KV window shared by every isolate, so a guesser gains nothing by landing on another.
 */
export function denoRateLimiter(kv: Deno.Kv): RateLimiter {
  const isolate = isolateRateLimiter();
  const shared = kvRateLimiter(kv);
  return { check: (rule, key) => (rule.hotPath ? isolate : shared).check(rule, key) };
}

/** Past this many counters, those of ended windows are dropped (a bot rotating keys). */
const MAX_ENTRIES = 50_000;

/**
 * Fixed windows aligned to the epoch, counted in this isolate's memory: exact, free, and per
 * isolate (N isolates admit up to N times the limit). Retry-After is the window's end.
 */
export function isolateRateLimiter(now: () => number = Date.now): RateLimiter {
  const counters = new Map<string, { endsAt: number; count: number }>();
  return {
    async check(rule, key): Promise<RateDecision> {
      const at = now();
      const id = `${rule.name}\n${rule.limit}/${rule.windowSeconds}\n${key}`;
      let counter = counters.get(id);
      if (!counter || counter.endsAt <= at) {
        if (!counter && counters.size >= MAX_ENTRIES) forgetEnded(counters, at);
        counter = { endsAt: fixedWindow(rule, at).endsAt, count: 0 };
        counters.set(id, counter);
      }
      if (counter.count >= rule.limit) {
        return { ok: false, retryAfterSeconds: retryAfterSeconds(counter.endsAt, at) };
      }
      counter.count++;
      return { ok: true };
    },
  };
}

/** Drops what has ended; if every entry is live, the oldest go (a Map keeps insertion order). */
function forgetEnded<V extends { endsAt: number }>(entries: Map<string, V>, at: number): void {
  for (const [id, entry] of entries) if (entry.endsAt <= at) entries.delete(id);
  let excess = entries.size - MAX_ENTRIES + 1;
  for (const id of entries.keys()) {
    if (excess-- <= 0) break;
    entries.delete(id);
  }
}

/** Attempts (lost races and KV errors alike) before a check gives up and refuses. */
const MAX_COMMIT_ATTEMPTS = 50;
/** KV errors in a row, with no answer from KV between them, that mean the store is down. */
const MAX_KV_ERRORS_IN_A_ROW = 8;
const MAX_BACKOFF_MS = 25;
/** Kept past its window's end, so a late reader of the same window never sees it vanish early. */
const EXPIRY_SLACK_MS = 60_000;
const KV_PREFIX = "rate-limit";

/**
 * Fixed windows in Deno KV, shared by every isolate: one counter per rule, window and key,
 * raised by check-and-set (a read, then a commit guarded by the read's versionstamp) and
 * expiring after its window. Deno KV's `sum` cannot carry an expiry, hence the check.
 *
 * - A key over its limit is refused from this isolate's memory until its window ends (no
 *   KV read for a bot that keeps trying), and refused attempts are not written.
 * - Concurrent attempts on one key retry with jitter; a key still contended after
 *   MAX_COMMIT_ATTEMPTS is refused (Retry-After 1 s): a burst on one key is what these
 *   limits are for, so contention never lets a request through unchecked.
 * - KV errors are retried; a store that answers nothing MAX_KV_ERRORS_IN_A_ROW times in a row
 *   lets the request through and logs once (the port's fail-open rule).
 */
export function kvRateLimiter(kv: Deno.Kv, now: () => number = Date.now): RateLimiter {
  const refused = new Map<string, { endsAt: number }>();
  return {
    async check(rule, key): Promise<RateDecision> {
      const started = now();
      const { index, endsAt } = fixedWindow(rule, started);
      const kvKey: Deno.KvKey = [KV_PREFIX, rule.name, rule.windowSeconds, index, key];
      const memo = `${rule.name}\n${rule.limit}/${rule.windowSeconds}\n${index}\n${key}`;
      if (refused.has(memo)) {
        // Same window (it is part of `memo`), so the answer has not changed.
        return { ok: false, retryAfterSeconds: retryAfterSeconds(endsAt, started) };
      }
      let errorsInARow = 0;
      for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
        try {
          const entry = await kv.get<number>(kvKey);
          errorsInARow = 0;
          const count = entry.value ?? 0;
          if (count >= rule.limit) {
            remember(refused, memo, endsAt, started);
            return { ok: false, retryAfterSeconds: retryAfterSeconds(endsAt, now()) };
          }
          const committed = await kv
            .atomic()
            .check(entry)
            .set(kvKey, count + 1, { expireIn: Math.max(1, endsAt - now()) + EXPIRY_SLACK_MS })
            .commit();
          if (committed.ok) return { ok: true };
        } catch (err) {
          // Transient on Deploy, and "database is locked" between processes sharing a local
          // file: retried like a lost race. Only a store that keeps failing lets it pass.
          if (++errorsInARow >= MAX_KV_ERRORS_IN_A_ROW) {
            warnOnce(describeError(err));
            return { ok: true };
          }
        }
        await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 2 * attempt));
      }
      log.warn("rate_limit.contended", { rule: rule.name, attempts: MAX_COMMIT_ATTEMPTS });
      return { ok: false, retryAfterSeconds: 1 };
    },
  };
}

let warned = false;
function warnOnce(error: string): void {
  if (warned) return;
  warned = true;
  log.warn("rate_limit.unavailable", { error, effect: "requests pass unlimited" });
}

function remember(
  refused: Map<string, { endsAt: number }>,
  memo: string,
  endsAt: number,
  at: number,
): void {
  if (refused.size >= MAX_ENTRIES) forgetEnded(refused, at);
  refused.set(memo, { endsAt });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
