import { JOURNEY_RULES } from "../vocabulary/journey";

/**
 * The visible rule of strikes (API.md "After the win", JOURNEY_RULES): two strikes within
 * 180 days restrict applying for 30 days, counted from the strike that completes the count.
 * Pure, so the rule is one function every caller (the token's claim at login and refresh,
 * the member's reliability, the company's applicant list) reads the same way.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the rule needs of a strike: when it was recorded, and whether an appeal lifted it. */
export interface StrikeFacts {
  /** Epoch milliseconds. */
  atMs: number;
  /** Epoch milliseconds of a granted appeal; null while the strike stands. */
  liftedAtMs: number | null;
}

export interface StrikeRules {
  strikeWindowDays: number;
  strikesToRestrict: number;
  restrictionDays: number;
}

const RULES: StrikeRules = JOURNEY_RULES;

/**
 * How far back a strike can still matter at `nowMs`: a restriction still running began at a
 * strike younger than `restrictionDays`, whose partners are at most `strikeWindowDays`
 * older. Readers fetch only strikes after this instant.
 */
export function relevantSinceMs(nowMs: number, rules: StrikeRules = RULES): number {
  return nowMs - (rules.strikeWindowDays + rules.restrictionDays) * DAY_MS;
}

/**
 * The strikes that count now: not lifted, and younger than the window. A strike exactly
 * `strikeWindowDays` old has left it (the window is the last 180 days, its first instant
 * excluded).
 */
export function countedStrikes(
  strikes: readonly StrikeFacts[],
  nowMs: number,
  rules: StrikeRules = RULES,
): number {
  const windowMs = rules.strikeWindowDays * DAY_MS;
  return strikes.filter((s) => s.liftedAtMs === null && nowMs - s.atMs < windowMs).length;
}

/**
 * Until when (epoch ms) the member may not apply, or null when they may.
 *
 * Each standing strike that brings the standing strikes of the 180 days up to it (itself
 * included) to `strikesToRestrict` starts a restriction of `restrictionDays` from its own
 * instant. The member is restricted while any such restriction runs: until the latest end,
 * if that is still ahead. Decided per strike, not by counting at `nowMs`, so a restriction
 * once begun runs its 30 days even when the older strike of its pair leaves the 180-day
 * window meanwhile: the date a member is told (and their token carries) stays true. Only a
 * granted appeal (a lifted strike) ends it early.
 */
export function restrictedUntilMs(
  strikes: readonly StrikeFacts[],
  nowMs: number,
  rules: StrikeRules = RULES,
): number | null {
  const windowMs = rules.strikeWindowDays * DAY_MS;
  const restrictionMs = rules.restrictionDays * DAY_MS;
  const standing = strikes
    .filter((s) => s.liftedAtMs === null)
    .map((s) => s.atMs)
    .sort((a, b) => a - b);
  let until: number | null = null;
  for (const [i, atMs] of standing.entries()) {
    // Standing strikes within the window that ends at this one, this one included.
    let inWindow = 0;
    for (let j = i; j >= 0 && atMs - (standing[j] as number) < windowMs; j--) inWindow++;
    if (inWindow < rules.strikesToRestrict) continue;
    const end = atMs + restrictionMs;
    if (end > nowMs && (until === null || end > until)) until = end;
  }
  return until;
}
