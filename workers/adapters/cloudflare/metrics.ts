import { type Labels, type MetricName, type Metrics, noMetrics } from "../../../core/ports/metrics";

/** The METRICS dataset when it is bound (wrangler.toml); nothing otherwise. */
export function metricsFor(env: Env): Metrics {
  return env.METRICS ? analyticsEngineMetrics(env.METRICS) : noMetrics;
}

/**
 * Metrics as Workers Analytics Engine data points: one row per event, blob1 = metric name,
 * blob2 = its labels as "k=v,k=v", double1 = the value, index1 = the metric name (the
 * sampling key). Written without waiting, as the binding does. Query them with the SQL API:
 *   SELECT blob2 AS labels, SUM(_sample_interval * double1) AS n
 *     FROM try_it_metrics WHERE blob1 = 'applications_total'
 *      AND timestamp > NOW() - INTERVAL '5' MINUTE GROUP BY labels
 */
export function analyticsEngineMetrics(dataset: AnalyticsEngineDataset): Metrics {
  const write = (name: MetricName, labels: Labels, value: number) => {
    try {
      dataset.writeDataPoint({
        indexes: [name],
        blobs: [name, labelText(labels)],
        doubles: [value],
      });
    } catch {
      // A metric must never fail the work it describes.
    }
  };
  return { count: (name, labels, value = 1) => write(name, labels, value), observe: write };
}

export function labelText(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}
