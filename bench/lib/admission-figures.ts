import type { AdmissionRaw } from "./admission-raw";
import type { LoadSummary, OurResult, OurRun, Variant } from "./admission-types";
import { median } from "./machine";

/** The admission report's figures: medians over a variant's runs, and how they are written. */

export const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;
/** Answers per second of one load run, by wall clock (first request to last answer). */
export const rps = (l: LoadSummary) => (l.requests.total / l.wallMs) * 1000;
export const fmt = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined || Number.isNaN(x) ? "–" : String(round(x, digits));
export const times = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? "–" : `${round(x, digits)}×`;
export const pct = (x: number | null | undefined, of: number | null | undefined) =>
  x === null || x === undefined || !of ? "–" : `${round((x / of) * 100)} %`;
export const yes = (ok: boolean | null) => (ok === null ? "–" : ok ? "**met**" : "not met");
export const loadAvg = (l: number[]) => l.map((x) => round(x, 2)).join(", ");

/** Medians over a variant's runs. */
export function summarize(runs: OurRun[]) {
  const m = (f: (r: OurRun) => number | null) => {
    const xs = runs.map(f).filter((x): x is number => x !== null && Number.isFinite(x));
    return xs.length ? median(xs) : null;
  };
  return {
    rps: m((r) => rps(r.load)),
    p50: m((r) => r.load.latency.p50),
    p99: m((r) => r.load.latency.p99),
    seconds: m((r) => r.load.wallMs / 1000),
    batchFactor: m((r) => r.load.gateCalls.batchFactor),
    largestBatch: m((r) => r.load.gateCalls.largestBatch),
    serverFactor: m((r) =>
      r.serverCounters && r.serverCounters.gateCalls > 0
        ? r.serverCounters.applications / r.serverCounters.gateCalls
        : null,
    ),
    postFillRps: m((r) => (r.postFill ? rps(r.postFill) : null)),
    postFillP99: m((r) => r.postFill?.latency.p99 ?? null),
    drainPerSecond: m((r) => r.drain.perSecond),
    drainLagMs: m((r) => r.drain.lagMs),
    admitted: m((r) => r.invariants.admitted),
    timeouts: m((r) => r.load.timeouts),
    answered: m((r) => r.load.requests.total),
    ok: runs.every((r) => r.invariants.ok),
    settle: [...new Set(runs.map((r) => r.settle))].join(", "),
  };
}

export type Summary = ReturnType<typeof summarize>;

export function find(
  raw: AdmissionRaw,
  match: Partial<Variant>,
): { result: OurResult; s: Summary } | null {
  // A logs-on variant is only found when asked for (logs: true).
  const result = raw.ours.find(
    (r) =>
      (r.variant.logs ?? false) === (match.logs ?? false) &&
      Object.entries(match).every(([k, v]) => r.variant[k as keyof Variant] === v),
  );
  return result ? { result, s: summarize(result.runs) } : null;
}
