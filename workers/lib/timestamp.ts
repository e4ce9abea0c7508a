/**
 * The one reading of a timestamp the API accepts (API.md, "Input rules"): RFC 3339 with `Z`
 * or a `±hh:mm` offset, a real calendar date, between 2000-01-01 and 2100-01-01.
 *
 * Parsed by hand, not by `Date.parse`: engines disagree on what else they accept (`+01`,
 * year 0000, 2031-02-30 rolled over into March), and whatever one of them lets through
 * reaches the gate, then Postgres, which refuses years it cannot hold. The range keeps every
 * accepted instant far inside what JavaScript, Postgres and the gates all represent.
 */

/** 2000-01-01T00:00:00Z: the earliest instant accepted. */
export const EARLIEST_MS = Date.UTC(2000, 0, 1);
/** 2100-01-01T00:00:00Z: the latest instant accepted. */
export const LATEST_MS = Date.UTC(2100, 0, 1);

export const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

export type TimestampProblem = "format" | "calendar" | "range";

export const TIMESTAMP_MESSAGES: Record<TimestampProblem, string> = {
  format: "must be an RFC 3339 timestamp with Z or a ±hh:mm offset (2031-05-01T09:00:00Z)",
  calendar: "must be a real calendar date and time",
  range: "must be between 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z",
};

/** Epoch milliseconds, or what is wrong with the text. */
export function parseTimestamp(
  text: string,
): { ok: true; ms: number } | { ok: false; problem: TimestampProblem } {
  const m = RFC3339.exec(text);
  if (!m) return { ok: false, problem: "format" };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  const [fraction = "", sign, offsetHours, offsetMinutes] = m.slice(7);
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined
  ) {
    return { ok: false, problem: "format" };
  }
  const offH = Number(offsetHours ?? 0);
  const offM = Number(offsetMinutes ?? 0);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    // A leap second (:60) has no instant of its own in JavaScript or Postgres.
    second > 59 ||
    offH > 23 ||
    offM > 59
  ) {
    return { ok: false, problem: "calendar" };
  }
  // Date.UTC maps years 0..99 to 1900..1999; such years are out of range anyway.
  if (year < 1000) return { ok: false, problem: "range" };
  const millis = Number(fraction.padEnd(3, "0").slice(0, 3));
  const offsetMs = (sign === "-" ? -1 : 1) * (offH * 60 + offM) * 60_000;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs;
  if (ms < EARLIEST_MS || ms > LATEST_MS) return { ok: false, problem: "range" };
  return { ok: true, ms };
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS[month - 1] ?? 0);
}
