import { describeError, log } from "../../core/log";
import { type Metrics, noMetrics } from "../../core/ports/metrics";
import { isDatabaseUnavailable } from "../../db/client";

/**
 * Every batch job (statistics, reconciliation, status sync, outbox drains) works through a
 * list of items, and one item the job trips on (a row with a year Postgres refuses, a time
 * no Date can hold) must cost only that item: it is reported and the rest go on. Each job
 * states that once, through these two helpers, instead of a try/catch of its own.
 */
export interface ItemReport<T> {
  /** The job's name, as its log lines and the metric's `job` label spell it. */
  job: string;
  /** What names an item in the log (a trial id, an application id). */
  idOf(item: T): string;
  metrics?: Metrics | undefined;
}

export interface IsolatedRun<T> {
  done: T[];
  failed: T[];
}

/**
 * `work` for each item, one after another; a failure is logged (`job.item_failed`) and
 * counted (`job_item_failures_total{job}`) and the next item runs. An unreachable database
 * is no item's fault: it stops the run (the job's next tick starts over).
 */
export async function eachIsolated<T>(
  report: ItemReport<T>,
  items: readonly T[],
  work: (item: T) => Promise<void>,
): Promise<IsolatedRun<T>> {
  const run: IsolatedRun<T> = { done: [], failed: [] };
  for (const item of items) {
    try {
      await work(item);
      run.done.push(item);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      itemFailed(report, item, err);
      run.failed.push(item);
    }
  }
  return run;
}

/**
 * The batch in one call (the fast path); if that fails, each item on its own through
 * `eachIsolated`, so the one the batch tripped on is found, reported and left behind.
 */
export async function batchThenEach<T>(
  report: ItemReport<T>,
  items: readonly T[],
  batch: (items: readonly T[]) => Promise<void>,
  single: (item: T) => Promise<void> = (item) => batch([item]),
): Promise<IsolatedRun<T>> {
  if (items.length === 0) return { done: [], failed: [] };
  try {
    await batch(items);
    return { done: [...items], failed: [] };
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw err;
    log.warn("job.batch_failed", {
      job: report.job,
      items: items.length,
      error: describeError(err),
    });
  }
  return eachIsolated(report, items, single);
}

function itemFailed<T>(report: ItemReport<T>, item: T, err: unknown): void {
  log.error("job.item_failed", {
    job: report.job,
    item: report.idOf(item),
    error: describeError(err),
  });
  (report.metrics ?? noMetrics).count("job_item_failures_total", { job: report.job });
}
