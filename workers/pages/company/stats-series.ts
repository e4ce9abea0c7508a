import type { TrialStats } from "../wire";

/**
 * The statistics as the charts draw them: the page writes a `ChartSpec` into each chart's
 * `data-chart`, and clients/pages/charts.ts (which declares the same shape: the browser code
 * may not import the app's) draws it. x in Unix seconds for time, or the ratings 1..5.
 */
export type ChartSpec = {
  time: boolean;
  /** Bars: one interval's width in x units. */
  step?: number;
  x: number[];
  series: {
    label: string;
    y: number[];
    style: "line" | "bars" | "limit";
    colour: "accent" | "won" | "wait" | "muted";
  }[];
};

/** Arrivals per minute, oldest first, with the empty minutes between them filled in as 0. */
export function perMinuteSeries(stats: TrialStats): { x: number[]; y: number[] } {
  const counts = new Map<number, number>();
  for (const { minute, count } of stats.perMinute) {
    const at = Math.floor(Date.parse(minute) / 60_000) * 60;
    counts.set(at, (counts.get(at) ?? 0) + count);
  }
  const minutes = [...counts.keys()].sort((a, b) => a - b);
  const first = minutes[0];
  const last = minutes.at(-1);
  if (first === undefined || last === undefined) return { x: [], y: [] };
  const x: number[] = [];
  const y: number[] = [];
  // A long trial could span days; past a day of minutes the gaps are left as they are.
  const dense = (last - first) / 60 <= 1440;
  for (const at of dense ? range(first, last, 60) : minutes) {
    x.push(at);
    y.push(counts.get(at) ?? 0);
  }
  return { x, y };
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let at = from; at <= to; at += step) out.push(at);
  return out;
}

/** The fill curve: applications so far at the end of each minute. */
export function cumulative(y: number[]): number[] {
  let total = 0;
  return y.map((n) => {
    total += n;
    return total;
  });
}

/** How many reviews gave each rating, 1 to 5. */
export function ratingCounts(ratings: number[]): number[] {
  const counts = [0, 0, 0, 0, 0];
  for (const r of ratings) if (r >= 1 && r <= 5) counts[r - 1] = (counts[r - 1] ?? 0) + 1;
  return counts;
}
