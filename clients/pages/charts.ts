import uPlot from "uplot";

/**
 * The pages' charts: uPlot (small, canvas, no inline script or style) drawing a chart spec
 * the server or the console builds. The chart's element carries its accessible name
 * (role="img", aria-label) and the page puts its numbers beside it; this only draws. Colours
 * come from the stylesheet's variables, so the charts keep the pages' contrast.
 */

type ChartColour = "accent" | "won" | "wait" | "muted";

interface ChartSeries {
  label: string;
  y: number[];
  /** line: the measure; bars: counts per interval; limit: a dashed level (the slots). */
  style: "line" | "bars" | "limit";
  colour: ChartColour;
}

export interface ChartSpec {
  /** x in Unix seconds (a time axis) or plain numbers (ratings 1..5). */
  time: boolean;
  x: number[];
  series: ChartSeries[];
  /**
   * Bars: one interval's width in x units (1 s, 60 s, one star). The x axis keeps half of
   * one at each end, so a single bar (a drop within one minute) is a bar, not a sliver.
   */
  step?: number;
}

const HEIGHT = 240;

/** The charts count people and seconds: ticks at whole numbers only. */
const COUNT_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
];
const SECOND_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 21_600, 43_200, 86_400, 604_800,
  2_592_000,
];

function cssColour(name: ChartColour): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(`--${name}`).trim();
  return value || "#1b1f24";
}

function seriesOptions(s: ChartSeries): uPlot.Series {
  const stroke = cssColour(s.colour);
  if (s.style === "bars") {
    return {
      label: s.label,
      stroke,
      fill: `${stroke}cc`,
      width: 1,
      paths: uPlot.paths.bars?.({ size: [0.8, 48] }),
      points: { show: false },
    };
  }
  if (s.style === "limit") {
    return { label: s.label, stroke, width: 2, dash: [8, 6], points: { show: false } };
  }
  return { label: s.label, stroke, width: 3, points: { show: true, size: 5 } };
}

/**
 * Time ticks in the page's language and in UTC, as every time on the pages is written:
 * to the second for a drop, to the minute for an hour, the date beyond a day.
 */
function timeTicks(): uPlot.Axis["values"] {
  const lang = document.documentElement.lang || undefined;
  const format = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(lang, { timeZone: "UTC", hourCycle: "h23", ...options });
  const seconds = format({ hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const minutes = format({ hour: "2-digit", minute: "2-digit" });
  const days = format({ month: "short", day: "numeric" });
  return (_u, splits, _axis, _space, incr) => {
    const formatter = incr < 60 ? seconds : incr < 86_400 ? minutes : days;
    return splits.map((at) => formatter.format(new Date(at * 1000)));
  };
}

function optionsOf(el: HTMLElement, spec: ChartSpec): uPlot.Options {
  const ink = cssColour("muted");
  const axis: uPlot.Axis = {
    stroke: ink,
    grid: { stroke: "#d9dee5", width: 1 },
    ticks: { stroke: "#c9d1db", width: 1 },
  };
  return {
    width: widthOf(el),
    height: HEIGHT,
    scales: {
      x: {
        time: spec.time,
        // uPlot widens a single time point to 1000 days; bars span their data instead.
        ...(spec.step && {
          range: (u: uPlot): uPlot.Range.MinMax => {
            const xs = u.data[0];
            const half = (spec.step ?? 0) / 2;
            return [(xs[0] ?? 0) - half, (xs[xs.length - 1] ?? 1) + half];
          },
        }),
      },
      y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
    },
    axes: [
      spec.time
        ? {
            ...axis,
            incrs: SECOND_STEPS,
            values: timeTicks(),
            space: 80,
            label: "UTC",
            labelSize: 20,
          }
        : { ...axis, splits: () => spec.x },
      { ...axis, size: 48, incrs: COUNT_STEPS },
    ],
    series: [{}, ...spec.series.map(seriesOptions)],
    legend: { live: false },
    cursor: { show: false },
  };
}

const widthOf = (el: HTMLElement) => Math.max(240, Math.floor(el.clientWidth || 320));

function dataOf(spec: ChartSpec): uPlot.AlignedData {
  return [spec.x, ...spec.series.map((s) => s.y)];
}

/** A chart drawn into `el` (its fallback text removed), following the element's width. */
export function drawChart(el: HTMLElement, spec: ChartSpec): { update(spec: ChartSpec): void } {
  for (const fallback of el.querySelectorAll(".chart-fallback")) fallback.remove();
  const plot = new uPlot(optionsOf(el, spec), dataOf(spec), el);
  const resize = new ResizeObserver(() => plot.setSize({ width: widthOf(el), height: HEIGHT }));
  resize.observe(el);
  return { update: (next) => plot.setData(dataOf(next)) };
}
