import type { Child } from "hono/jsx";

/**
 * A chart's place on a page: the script draws into `.chart` (uPlot, a canvas), which carries
 * the chart's accessible name; the caption says what it shows, and `children` (a data table,
 * or nothing when figures beside it say the same) give its numbers to screen readers.
 * `data` is what the script draws, as JSON; without script the fallback text stays.
 */
export function ChartFigure(props: {
  id: string;
  label: string;
  caption: string;
  fallback: string;
  data?: unknown;
  children?: Child;
}) {
  return (
    <figure class="chart-figure" aria-labelledby={`${props.id}-caption`}>
      <figcaption id={`${props.id}-caption`}>{props.caption}</figcaption>
      <div
        class="chart"
        id={props.id}
        role="img"
        aria-label={props.label}
        data-chart={props.data === undefined ? undefined : JSON.stringify(props.data)}
      >
        <p class="chart-fallback">{props.fallback}</p>
      </div>
      {props.children}
    </figure>
  );
}
