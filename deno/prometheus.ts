import type { Labels, MetricName, Metrics } from "../core/ports/metrics.ts";

/**
 * An in-process registry for the Deno server, read in the Prometheus text format at
 * GET /metrics (guarded by METRICS_TOKEN). Counters are totals since the process started;
 * observations are summaries (count and sum) plus a few latency buckets, which is what
 * "gate latency" and "queue lag" need on a dashboard.
 */
const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 5000, 30000];

const HELP: Record<MetricName, string> = {
  applications_total: "Applications answered, by outcome and by who decided (gate or notice).",
  gate_call_ms: "Latency of calls to a trial's gate, in milliseconds.",
  gate_calls_total:
    "Calls to trials' gates (group commit: applications_total via gate ÷ this = the batch factor).",
  decisions_queue_lag_ms: "From a decision to its row in Postgres, in milliseconds.",
  slack_sends_total: "Slack result messages, by status.",
  job_item_failures_total:
    "Items a batch job failed on and left behind (the rest went on), by job (workers/lib/isolated.ts).",
  live_upgrades_total:
    "Live-room sockets opened, and upgrades refused by reason (GET /v1/trials/:id/live).",
};

interface Series {
  labels: Labels;
  value: number;
  buckets?: number[];
  sum?: number;
}

export class PrometheusRegistry implements Metrics {
  private readonly series = new Map<MetricName, Map<string, Series>>();

  count(name: MetricName, labels: Labels, value = 1): void {
    this.entry(name, labels).value += value;
  }

  observe(name: MetricName, labels: Labels, value: number): void {
    const s = this.entry(name, labels);
    s.value += 1;
    s.sum = (s.sum ?? 0) + value;
    s.buckets ??= BUCKETS_MS.map(() => 0);
    BUCKETS_MS.forEach((le, i) => {
      if (value <= le && s.buckets) s.buckets[i] = (s.buckets[i] ?? 0) + 1;
    });
  }

  /** The text exposition format (version 0.0.4). */
  render(): string {
    const out: string[] = [];
    for (const [name, byLabels] of this.series) {
      const metric = `tryit_${name}`;
      const histogram = [...byLabels.values()].some((s) => s.buckets);
      out.push(
        `# HELP ${metric} ${HELP[name]}`,
        `# TYPE ${metric} ${histogram ? "histogram" : "counter"}`,
      );
      for (const s of byLabels.values()) {
        if (!s.buckets) {
          out.push(`${metric}${fmt(s.labels)} ${s.value}`);
          continue;
        }
        BUCKETS_MS.forEach((le, i) => {
          out.push(
            `${metric}_bucket${fmt({ ...s.labels, le: String(le) })} ${s.buckets?.[i] ?? 0}`,
          );
        });
        out.push(`${metric}_bucket${fmt({ ...s.labels, le: "+Inf" })} ${s.value}`);
        out.push(
          `${metric}_sum${fmt(s.labels)} ${s.sum ?? 0}`,
          `${metric}_count${fmt(s.labels)} ${s.value}`,
        );
      }
    }
    return `${out.join("\n")}\n`;
  }

  private entry(name: MetricName, labels: Labels): Series {
    let byLabels = this.series.get(name);
    if (!byLabels) {
      byLabels = new Map();
      this.series.set(name, byLabels);
    }
    const key = fmt(labels);
    let s = byLabels.get(key);
    if (!s) {
      s = { labels, value: 0 };
      byLabels.set(key, s);
    }
    return s;
  }
}

function fmt(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return "";
  const quoted = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  return `{${keys.map((k) => `${k}="${quoted(labels[k] ?? "")}"`).join(",")}}`;
}
