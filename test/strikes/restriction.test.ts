import { describe, expect, it } from "vitest";
import {
  countedStrikes,
  relevantSinceMs,
  restrictedUntilMs,
  type StrikeFacts,
} from "../../core/strikes/restriction";
import { JOURNEY_RULES } from "../../core/vocabulary/journey";

/** The visible rule (core/strikes/restriction.ts) at its boundaries. */

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const strike = (daysAgo: number, liftedAtMs: number | null = null): StrikeFacts => ({
  atMs: NOW - daysAgo * DAY,
  liftedAtMs,
});

describe("the rule reads JOURNEY_RULES", () => {
  it("two strikes within 180 days restrict for 30 days", () => {
    expect(JOURNEY_RULES).toMatchObject({
      strikeWindowDays: 180,
      strikesToRestrict: 2,
      restrictionDays: 30,
    });
  });
});

describe("restrictedUntilMs", () => {
  it("is null with no strike and with one strike", () => {
    expect(restrictedUntilMs([], NOW)).toBeNull();
    expect(restrictedUntilMs([strike(1)], NOW)).toBeNull();
  });

  it("restricts until the second strike + 30 days", () => {
    const second = strike(5);
    expect(restrictedUntilMs([strike(100), second], NOW)).toBe(second.atMs + 30 * DAY);
    // Order of the input does not matter.
    expect(restrictedUntilMs([second, strike(100)], NOW)).toBe(second.atMs + 30 * DAY);
  });

  it("pairs strikes less than 180 days apart, not exactly 180", () => {
    const second = strike(1);
    const almost = { atMs: second.atMs - 180 * DAY + 1, liftedAtMs: null };
    const exactly = { atMs: second.atMs - 180 * DAY, liftedAtMs: null };
    expect(restrictedUntilMs([almost, second], NOW)).toBe(second.atMs + 30 * DAY);
    expect(restrictedUntilMs([exactly, second], NOW)).toBeNull();
  });

  it("ends exactly 30 days after the second strike", () => {
    const pair = [strike(40), strike(30)];
    // The second strike is exactly 30 days old: its restriction has just ended.
    expect(restrictedUntilMs(pair, NOW)).toBeNull();
    expect(restrictedUntilMs(pair, NOW - 1)).toBe(NOW);
  });

  it("ignores lifted strikes (a granted appeal)", () => {
    expect(restrictedUntilMs([strike(10, NOW - DAY), strike(5)], NOW)).toBeNull();
    expect(restrictedUntilMs([strike(10), strike(5, NOW - DAY)], NOW)).toBeNull();
  });

  it("with three strikes runs until the latest + 30 days, and a lifted one of three leaves a pair", () => {
    const third = strike(2);
    expect(restrictedUntilMs([strike(20), strike(10), third], NOW)).toBe(third.atMs + 30 * DAY);
    // Lifting the middle one: the first and the third are still within 180 days.
    expect(restrictedUntilMs([strike(20), strike(10, NOW), third], NOW)).toBe(
      third.atMs + 30 * DAY,
    );
    // Lifting the last one: the first two still restrict until the second + 30 days.
    expect(restrictedUntilMs([strike(20), strike(10), strike(2, NOW)], NOW)).toBe(
      NOW - 10 * DAY + 30 * DAY,
    );
  });

  it("keeps a running restriction its 30 days when the older strike leaves the 180-day window", () => {
    // Strikes 170 days apart: the pair restricts from the second for 30 days, and on day 15
    // of it the first strike is 185 days old. The date the member was told still holds.
    const second = strike(15);
    const first = { atMs: second.atMs - 170 * DAY, liftedAtMs: null };
    expect(countedStrikes([first, second], NOW)).toBe(1);
    expect(restrictedUntilMs([first, second], NOW)).toBe(second.atMs + 30 * DAY);
  });

  it("needs both strikes of a pair to stand at once: two far-apart pairs do not chain", () => {
    expect(restrictedUntilMs([strike(400), strike(200), strike(5)], NOW)).toBeNull();
  });
});

describe("countedStrikes", () => {
  it("counts standing strikes younger than 180 days; one exactly 180 days old no longer counts", () => {
    const exactly = { atMs: NOW - 180 * DAY, liftedAtMs: null };
    const almost = { atMs: NOW - 180 * DAY + 1, liftedAtMs: null };
    expect(countedStrikes([exactly], NOW)).toBe(0);
    expect(countedStrikes([almost], NOW)).toBe(1);
    expect(countedStrikes([strike(1), strike(2, NOW), strike(3)], NOW)).toBe(2);
  });
});

describe("relevantSinceMs", () => {
  it("reaches back far enough for every restriction still running (180 + 30 days)", () => {
    const since = relevantSinceMs(NOW);
    expect(since).toBe(NOW - 210 * DAY);
    // The oldest pair that can still restrict now: its second strike just under 30 days
    // old, its first just under 180 days before that. Both are after `since`.
    const second = NOW - 30 * DAY + 1;
    const first = second - 180 * DAY + 1;
    expect(first).toBeGreaterThan(since);
    expect(
      restrictedUntilMs(
        [
          { atMs: first, liftedAtMs: null },
          { atMs: second, liftedAtMs: null },
        ],
        NOW,
      ),
    ).toBe(second + 30 * DAY);
  });
});
