import type { GateEvent } from "../../core/first-come/types";
import type { Metrics } from "../../core/ports/metrics";

/** From each decision to the moment its row is written: how far the pipeline lags. */
export function observeQueueLag(metrics: Metrics, events: readonly GateEvent[]): void {
  const now = Date.now();
  for (const e of events) {
    if (e.type === "application") {
      metrics.observe("decisions_queue_lag_ms", {}, Math.max(0, now - e.application.decidedAt));
    }
  }
}

/** A notifications batch's tally, as counters by status. */
export function countSlackSends(metrics: Metrics, tally: Record<string, number>): void {
  for (const [status, n] of Object.entries(tally)) {
    if (n > 0) metrics.count("slack_sends_total", { status }, n);
  }
}
