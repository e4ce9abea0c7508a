/**
 * What an operator watches during a drop: applications per outcome, the gate's latency, how
 * far the decisions queue lags, Slack sends by status, items a batch job left behind. Each
 * runtime exposes them its own way: Workers Analytics Engine on Cloudflare (queried with
 * SQL), a Prometheus text endpoint on Deno, where a process lives long enough to hold
 * counters. Recording never throws and never waits: a metric must not slow or fail the
 * request it describes.
 */
export type MetricName =
  | "applications_total"
  | "gate_call_ms"
  | "gate_calls_total"
  | "decisions_queue_lag_ms"
  | "slack_sends_total"
  | "job_item_failures_total"
  | "live_upgrades_total";

export type Labels = Record<string, string>;

export interface Metrics {
  /** Adds `value` (default 1) to a counter. */
  count(name: MetricName, labels: Labels, value?: number): void;
  /** Records one observation (a duration in ms). */
  observe(name: MetricName, labels: Labels, value: number): void;
}

export const noMetrics: Metrics = {
  count: () => {},
  observe: () => {},
};
