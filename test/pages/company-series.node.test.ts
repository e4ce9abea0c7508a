import { describe, expect, it } from "vitest";
import { LiveSeries } from "../../clients/pages/live-series";
import {
  cumulative,
  perMinuteSeries,
  ratingCounts,
} from "../../workers/pages/company/stats-series";
import { inputFromUtc, utcFromInput } from "../../workers/pages/company/trial-times";
import type { TrialStats } from "../../workers/pages/wire";

/**
 * What the company's charts and forms compute before anything is drawn: the trial form's
 * UTC times, the statistics' per-minute series, and the console's live series.
 */

describe("the trial form's times are UTC", () => {
  it("reads a datetime-local value, with or without seconds, as that instant in UTC", () => {
    expect(utcFromInput("2026-12-01T09:00")).toBe("2026-12-01T09:00:00.000Z");
    expect(utcFromInput("2026-12-01T09:00:05")).toBe("2026-12-01T09:00:05.000Z");
    expect(inputFromUtc("2026-12-01T09:00:05.000Z")).toBe("2026-12-01T09:00:05");
  });

  it("passes anything else through, for the API to name what is wrong", () => {
    expect(utcFromInput("")).toBe("");
    expect(utcFromInput("tomorrow")).toBe("tomorrow");
    expect(utcFromInput("2026-13-45T09:00")).toBe("2026-13-45T09:00");
  });
});

describe("the statistics' series", () => {
  const stats = (perMinute: { minute: string; count: number }[]) => ({ perMinute }) as TrialStats;

  it("fills the quiet minutes between arrivals with zeros, oldest first", () => {
    const series = perMinuteSeries(
      stats([
        { minute: "2026-11-30T10:03:00.000Z", count: 2 },
        { minute: "2026-11-30T10:00:00.000Z", count: 5 },
      ]),
    );
    const t0 = Date.parse("2026-11-30T10:00:00.000Z") / 1000;
    expect(series).toEqual({ x: [t0, t0 + 60, t0 + 120, t0 + 180], y: [5, 0, 0, 2] });
    expect(cumulative(series.y)).toEqual([5, 5, 5, 7]);
    expect(perMinuteSeries(stats([]))).toEqual({ x: [], y: [] });
  });

  it("counts each rating 1..5, and nothing else", () => {
    expect(ratingCounts([5, 5, 4, 3, 5, 0, 6])).toEqual([0, 0, 1, 1, 3]);
  });
});

describe("the console's live series", () => {
  it("gives each second the growth of applicants in its frames, and the fill at each frame", () => {
    const t = Date.parse("2026-11-30T10:00:00.000Z");
    const series = new LiveSeries(4, 4, t - 5_000); // four had applied before the page opened
    series.record(t + 100, 10, 10);
    series.record(t + 600, 25, 20);
    series.record(t + 2_200, 30, 30);
    expect(series.arrivalsPerSecond()).toEqual({
      x: [t / 1000, t / 1000 + 1, t / 1000 + 2],
      y: [21, 0, 5],
    });
    expect(series.peakPerSecond()).toBe(21);
    expect(series.fillCurve().y).toEqual([4, 10, 20, 30]);
  });

  it("keeps time moving forward when a frame comes late (a reconnection)", () => {
    const series = new LiveSeries(0, 0, 10_000);
    series.record(12_000, 3, 3);
    series.record(11_000, 3, 3);
    expect(series.fillCurve().x).toEqual([10, 12, 12]);
  });

  it("keeps only the last ten minutes of a console left open for hours, the curve's level at their start", () => {
    const t = Date.parse("2026-11-30T10:00:00.000Z");
    const series = new LiveSeries(0, 0, t);
    // Two hours of a frame every 250 ms, one arrival per frame.
    const frames = 2 * 3600 * 4;
    for (let i = 1; i <= frames; i++) series.record(t + i * 250, i, Math.min(i, 5_000));
    const end = (t + frames * 250) / 1000;
    const arrivals = series.arrivalsPerSecond();
    expect(arrivals.x[0]).toBe(end - 600);
    expect(arrivals.x.at(-1)).toBe(end);
    expect(arrivals.y.slice(1, -1).every((n) => n === 4)).toBe(true);
    const fill = series.fillCurve();
    // Every point of the window, and the one before it that sets the level where it starts.
    expect(fill.x.length).toBe(600 * 4 + 2);
    expect(fill.x[0]).toBeLessThan(end - 600);
    expect(fill.x[1]).toBeGreaterThanOrEqual(end - 600);
    expect(fill.y.at(-1)).toBe(5_000);
  });
});
