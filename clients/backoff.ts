/**
 * When a client tries again: exponential backoff, capped, with jitter so that thousands of
 * watchers dropped at the same moment (a deploy, an evicted room) do not all come back in
 * the same millisecond. Pure, so it is tested without a server.
 */

export interface BackoffPolicy {
  /** The first wait, before jitter. */
  initialMs: number;
  /** No wait is longer than this, before jitter. */
  maxMs: number;
  /** Each failure multiplies the wait by this. */
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 15_000, factor: 2 };

/**
 * The wait before retry number `failures` (0 = the first retry): "equal jitter", half of
 * the exponential step fixed and half random, so a wait never collapses to zero and a crowd
 * spreads over the other half. `random` returns [0, 1) (Math.random in production).
 */
export function backoffDelay(
  failures: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, failures));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * The wait a server asked for with `Retry-After` (seconds, or an HTTP date), plus up to 20%
 * jitter so a full room is not stormed the second it said; null when the header is absent or
 * unreadable (the caller falls back to its backoff).
 */
export function retryAfterDelay(
  header: string | null | undefined,
  now: number = Date.now(),
  random: () => number = Math.random,
): number | null {
  if (header === null || header === undefined || header.trim() === "") return null;
  const trimmed = header.trim();
  // Seconds, or an HTTP date (which has a weekday and month in letters: "-3" is no date).
  const ms = /^\d+$/.test(trimmed)
    ? Number(trimmed) * 1000
    : /[a-z]/i.test(trimmed)
      ? Date.parse(trimmed) - now
      : Number.NaN;
  if (!Number.isFinite(ms)) return null;
  const wait = Math.max(0, ms);
  return Math.round(wait + random() * wait * 0.2);
}
