import { describeError, log } from "../../../core/log";
import type { Metrics } from "../../../core/ports/metrics";
import type { TrialGates } from "../../../core/ports/trial-gate";
import type { Database } from "../../../db/client";
import {
  continueFullRebuild,
  FULL_REBUILD_JOB,
  INCREMENTAL_JOB,
  type JobRun,
  runIncrementalStats,
  STATS_LIMITS,
  type StatsLimits,
  startFullRebuild,
} from "./jobs";

/** wrangler.toml's daily cron: a full statistics rebuild starts at 00:00 UTC. */
export const DAILY_STATS_CRON = "0 0 * * *";

/**
 * The 5-minute tick's statistics work: the incremental job, then one batch of a full
 * rebuild if one is running. Each job fails on its own (logged), so one cannot starve the
 * other, and neither can fail the reconciliation that shares the tick.
 */
export async function runStatsTick(
  db: Database,
  gates: TrialGates,
  now: Date,
  limits: StatsLimits = STATS_LIMITS,
  metrics?: Metrics,
): Promise<JobRun[]> {
  const runs: JobRun[] = [];
  const incremental = await logged(INCREMENTAL_JOB, () =>
    runIncrementalStats(db, gates, now, limits, metrics),
  );
  if (incremental) runs.push(incremental);
  const full = await logged(FULL_REBUILD_JOB, () =>
    continueFullRebuild(db, gates, now, limits, FULL_REBUILD_JOB, metrics),
  );
  if (full) runs.push(full);
  return runs;
}

/** 00:00 UTC: (re)start the full rebuild and build its first batch; the 5-minute ticks go on. */
export async function runDailyStats(
  db: Database,
  gates: TrialGates,
  now: Date,
  limits: StatsLimits = STATS_LIMITS,
  metrics?: Metrics,
): Promise<JobRun | null> {
  await startFullRebuild(db, now);
  return logged(FULL_REBUILD_JOB, () =>
    continueFullRebuild(db, gates, now, limits, FULL_REBUILD_JOB, metrics),
  );
}

async function logged(job: string, run: () => Promise<JobRun | null>): Promise<JobRun | null> {
  try {
    const result = await run();
    if (result) {
      log.info("cron.stats", {
        job,
        trials: result.trialIds.length,
        built: result.built,
        skipped: result.skipped,
        failed: result.failed,
        done: result.done,
        ms: result.ms,
      });
    }
    return result;
  } catch (err) {
    log.error("cron.stats_failed", { job, error: describeError(err) });
    return null;
  }
}
