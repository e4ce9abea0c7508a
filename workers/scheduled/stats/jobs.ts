import { asc, gt, sql } from "drizzle-orm";
import type { Metrics } from "../../../core/ports/metrics";
import type { Database } from "../../../db/client";
import { trials } from "../../../db/schema";
import { batchThenEach } from "../../lib/isolated";
import { buildTrialStats, type SnapshotSource } from "./build-trial-stats";
import { advanceCheckpoint, readCheckpoint, writeCheckpoint } from "./checkpoints";

export interface StatsLimits {
  /** Trials per batch: one gate snapshot each, one upsert per batch. */
  batchSize: number;
  /** Batches the incremental job may build in one tick; what is left waits for the next. */
  incrementalBatches: number;
  /** Overlap between incremental runs, for writes that committed late with an older timestamp. */
  overlapMs: number;
  /** How far back the very first incremental run looks; the daily rebuild covers the rest. */
  firstLookbackMs: number;
}

export const STATS_LIMITS: StatsLimits = {
  batchSize: 100,
  incrementalBatches: 2,
  overlapMs: 60_000,
  firstLookbackMs: 24 * 60 * 60 * 1000,
};

export const INCREMENTAL_JOB = "stats:incremental";
export const FULL_REBUILD_JOB = "stats:full-rebuild";

/** The incremental job's place: changes after `since`; `after` set while a walk is unfinished. */
interface IncrementalCursor extends Record<string, unknown> {
  since: string;
  after: string | null;
  walkStartedAt: string | null;
}

export type FullRebuildCursor =
  | { state: "running"; after: string | null; startedAt: string; trials: number }
  | { state: "done"; startedAt: string; finishedAt: string; trials: number };

export interface JobRun {
  job: string;
  trialIds: string[];
  built: number;
  skipped: number;
  failed: number;
  /** The job has nothing left (the incremental walk caught up, the full rebuild ended). */
  done: boolean;
  ms: number;
}

/**
 * The 5-minute job: trials that are inside their application window (their gate's counters
 * can still move), plus trials whose row, applications, reviews or winners' journeys changed
 * since the last run. At most `incrementalBatches` batches per tick; a longer list is walked on by the next
 * ticks in id order before `since` moves forward, so nothing is dropped.
 */
export async function runIncrementalStats(
  db: Database,
  gates: SnapshotSource,
  now: Date,
  limits: StatsLimits = STATS_LIMITS,
  metrics?: Metrics,
): Promise<JobRun> {
  const started = Date.now();
  const cursor = await readCheckpoint<IncrementalCursor>(db, INCREMENTAL_JOB);
  // Postgres's clock, not the scheduled time: the timestamps compared are written by it.
  const dbNow = await databaseNow(db);
  const walkStartedAt =
    cursor?.after && cursor.walkStartedAt ? new Date(cursor.walkStartedAt) : dbNow;
  const since = cursor
    ? new Date(cursor.since)
    : new Date(dbNow.getTime() - limits.firstLookbackMs);
  const max = limits.batchSize * limits.incrementalBatches;
  const rows = await db.execute(sql`
    SELECT t.id FROM trials t
     WHERE (${cursor?.after ?? null}::uuid IS NULL OR t.id > ${cursor?.after ?? null}::uuid)
       AND ((t.status <> 'CANCELLED' AND t.opens_at <= ${walkStartedAt} AND t.closes_at >= ${since})
            OR t.updated_at > ${since}
            OR t.id IN (SELECT trial_id FROM applications WHERE persisted_at > ${since})
            OR t.id IN (SELECT trial_id FROM reviews WHERE updated_at > ${since})
            OR t.id IN (SELECT trial_id FROM winner_journeys WHERE updated_at > ${since}))
     ORDER BY t.id
     LIMIT ${max + 1}`);
  const ids = rows.rows.map((r) => String((r as { id: unknown }).id));
  const chosen = ids.slice(0, max);
  const totals = await buildInBatches(db, gates, chosen, now, limits.batchSize, {
    job: INCREMENTAL_JOB,
    metrics,
  });
  const more = ids.length > max;
  const next: IncrementalCursor = more
    ? {
        since: since.toISOString(),
        after: chosen.at(-1) ?? null,
        walkStartedAt: walkStartedAt.toISOString(),
      }
    : {
        since: new Date(walkStartedAt.getTime() - limits.overlapMs).toISOString(),
        after: null,
        walkStartedAt: null,
      };
  await advanceCheckpoint(db, INCREMENTAL_JOB, cursor, next);
  return {
    job: INCREMENTAL_JOB,
    trialIds: chosen,
    ...totals,
    done: !more,
    ms: Date.now() - started,
  };
}

/**
 * Starts (or restarts) a rebuild of every trial: only the cursor is written here; the
 * batches are built by `continueFullRebuild`, one per tick, so no invocation walks
 * everything. Restarting a running rebuild is safe: every build is idempotent.
 */
export async function startFullRebuild(
  db: Database,
  now: Date,
  job = FULL_REBUILD_JOB,
): Promise<FullRebuildCursor> {
  const cursor: FullRebuildCursor = {
    state: "running",
    after: null,
    startedAt: now.toISOString(),
    trials: 0,
  };
  await writeCheckpoint(db, job, cursor);
  return cursor;
}

/** One batch of a running full rebuild, from where the last one stopped; null if none runs. */
export async function continueFullRebuild(
  db: Database,
  gates: SnapshotSource,
  now: Date,
  limits: Pick<StatsLimits, "batchSize"> = STATS_LIMITS,
  job = FULL_REBUILD_JOB,
  metrics?: Metrics,
): Promise<JobRun | null> {
  const started = Date.now();
  const cursor = await readCheckpoint<FullRebuildCursor>(db, job);
  if (cursor?.state !== "running") return null;
  const batch = await db
    .select({ id: trials.id })
    .from(trials)
    .where(cursor.after === null ? undefined : gt(trials.id, cursor.after))
    .orderBy(asc(trials.id))
    .limit(limits.batchSize);
  const ids = batch.map((r) => r.id);
  const totals = await buildInBatches(db, gates, ids, now, limits.batchSize, { job, metrics });
  const done = ids.length < limits.batchSize;
  const count = cursor.trials + ids.length;
  const next: FullRebuildCursor = done
    ? { state: "done", startedAt: cursor.startedAt, finishedAt: now.toISOString(), trials: count }
    : { state: "running", after: ids.at(-1) ?? null, startedAt: cursor.startedAt, trials: count };
  await advanceCheckpoint(db, job, cursor, next);
  return { job, trialIds: ids, ...totals, done, ms: Date.now() - started };
}

/**
 * A batch at a time; a batch that fails (one trial with a time Postgres refuses, say) is
 * built again trial by trial, so only that trial is left behind, reported, and the cursor
 * still moves past it: no trial after it waits on it.
 */
async function buildInBatches(
  db: Database,
  gates: SnapshotSource,
  ids: string[],
  now: Date,
  batchSize: number,
  report: { job: string; metrics: Metrics | undefined },
): Promise<{ built: number; skipped: number; failed: number }> {
  const totals = { built: 0, skipped: 0, failed: 0 };
  const build = async (part: readonly string[]) => {
    const result = await buildTrialStats(db, gates, part, now);
    totals.built += result.built.length;
    totals.skipped += result.skipped.length;
    totals.failed += result.failed.length;
  };
  for (let i = 0; i < ids.length; i += batchSize) {
    const run = await batchThenEach(
      { ...report, idOf: (id) => id },
      ids.slice(i, i + batchSize),
      build,
    );
    totals.failed += run.failed.length;
  }
  return totals;
}

async function databaseNow(db: Database): Promise<Date> {
  const res = await db.execute(sql`SELECT (extract(epoch FROM now()) * 1000)::float8 AS ms`);
  return new Date(Number((res.rows[0] as { ms: unknown } | undefined)?.ms ?? Date.now()));
}
