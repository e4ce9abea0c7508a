import { type ChartSpec, drawChart } from "./charts";

/**
 * The statistics page: each `.chart[data-chart]` holds its chart spec as JSON, built by the
 * server (workers/pages/company/stats-series.ts); this draws them.
 */
export function startStatsCharts(): void {
  for (const el of document.querySelectorAll<HTMLElement>(".chart[data-chart]")) {
    try {
      drawChart(el, JSON.parse(el.dataset.chart ?? "") as ChartSpec);
    } catch {
      // A spec that does not parse leaves the fallback text and the numbers table.
    }
  }
}
