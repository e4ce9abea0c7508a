import { inArray, sql } from "drizzle-orm";
import type { GateSnapshot } from "../../../core/first-come/types";
import { describeError, log } from "../../../core/log";
import type { TrialGate } from "../../../core/ports/trial-gate";
import type { Database } from "../../../db/client";
import { trialStats, trials } from "../../../db/schema";
import { journeysOf, NO_JOURNEYS } from "./journey-stats";

export type NewTrialStatsRow = typeof trialStats.$inferInsert;

export interface BuildResult {
  /** Trials whose row now matches their data (written, or already equal). */
  built: string[];
  /** No configured gate (or no trial row): nothing authoritative to count. */
  skipped: string[];
  /** The gate did not answer: left as it was, the next run tries again. */
  failed: string[];
}

export interface Arrivals {
  peakPerSecond: number;
  perMinute: { minute: string; count: number }[];
}

export interface ReviewSummary {
  count: number;
  average: number | null;
  min: number | null;
  max: number | null;
}

/** Where the counters come from: the gate RPCs in production, fixed snapshots in the bench. */
export interface SnapshotSource {
  get(trialId: string): Pick<TrialGate, "snapshot">;
}

/**
 * Builds the statistics of `trialIds` (one batch) and upserts them in one statement.
 *
 * Counters come from each trial's gate (the authority on who won, waited, cancelled or was
 * turned away); arrival times and reviews from Postgres, one grouped query each for the
 * whole batch. `now` is the run's scheduled time, stored as `computed_at`: a re-run of the
 * same tick writes the same row. A row whose numbers did not change is not rewritten at all
 * (the upsert's WHERE), so `computed_at` says when the numbers last changed and running
 * the job twice changes nothing.
 */
export async function buildTrialStats(
  db: Database,
  gates: SnapshotSource,
  trialIds: readonly string[],
  now: Date,
): Promise<BuildResult> {
  const result: BuildResult = { built: [], skipped: [], failed: [] };
  if (trialIds.length === 0) return result;
  const ids = [...trialIds];
  const [catalog, snapshots, arrivals, reviewSummaries, journeys] = await Promise.all([
    db
      .select({
        id: trials.id,
        productId: trials.productId,
        companyId: trials.companyId,
        slots: trials.slots,
      })
      .from(trials)
      .where(inArray(trials.id, ids)),
    snapshotsOf(gates, ids),
    arrivalsOf(db, ids),
    reviewsOf(db, ids),
    journeysOf(db, ids, now),
  ]);

  const rows: NewTrialStatsRow[] = [];
  for (const trial of catalog) {
    const snapshot = snapshots.get(trial.id);
    if (snapshot === undefined) {
      result.failed.push(trial.id);
      continue;
    }
    if (snapshot === null) {
      result.skipped.push(trial.id);
      continue;
    }
    rows.push({
      ...toRow(trial, snapshot, arrivals.get(trial.id), reviewSummaries.get(trial.id), now),
      ...(journeys.get(trial.id) ?? NO_JOURNEYS),
    });
    result.built.push(trial.id);
  }
  const known = new Set(catalog.map((t) => t.id));
  result.skipped.push(...ids.filter((id) => !known.has(id)));
  await upsertStats(db, rows);
  return result;
}

function toRow(
  trial: { id: string; productId: string; companyId: string; slots: number },
  live: GateSnapshot,
  arrivals: Arrivals | undefined,
  reviews: ReviewSummary | undefined,
  now: Date,
): NewTrialStatsRow {
  return {
    trialId: trial.id,
    productId: trial.productId,
    companyId: trial.companyId,
    // The gate's terms are the ones it decided by (a PATCH before opening changes both).
    slots: live.slots,
    applicants: live.applicants,
    won: live.won,
    waitlisted: live.waitlisted,
    cancelled: live.cancelled,
    promoted: live.promoted,
    rejected: live.rejected,
    openedAt: new Date(live.opensAt),
    filledAt: live.filledAt === null ? null : new Date(live.filledAt),
    secondsToFill: live.filledAt === null ? null : (live.filledAt - live.opensAt) / 1000,
    peakPerSecond: arrivals?.peakPerSecond ?? 0,
    perMinute: arrivals?.perMinute ?? [],
    reviewsCount: reviews?.count ?? 0,
    reviewsAverage: reviews?.average ?? null,
    reviewsMin: reviews?.min ?? null,
    reviewsMax: reviews?.max ?? null,
    computedAt: now,
  };
}

/** Undefined in the map: the gate failed; null: the gate was never configured. */
async function snapshotsOf(
  gates: SnapshotSource,
  ids: string[],
): Promise<Map<string, GateSnapshot | null | undefined>> {
  const entries = await Promise.all(
    ids.map(async (id) => {
      try {
        return [id, await gates.get(id).snapshot()] as const;
      } catch (err) {
        log.warn("stats.snapshot_failed", { trialId: id, error: describeError(err) });
        return [id, undefined] as const;
      }
    }),
  );
  return new Map(entries);
}

/**
 * Arrivals per second, then rolled up per minute, in one pass over the batch's
 * applications: the peak of a minute is its busiest second, the trial's peak the busiest
 * of those. Every persisted application is an arrival, whatever became of it later;
 * refused attempts never reach Postgres and are only the gate's `rejected` counter.
 */
async function arrivalsOf(db: Database, ids: string[]): Promise<Map<string, Arrivals>> {
  const res = await db.execute(sql`
    WITH per_second AS (
      SELECT trial_id, date_trunc('second', applied_at) AS second, count(*)::int AS n
        FROM applications
       WHERE trial_id IN ${ids}
       GROUP BY 1, 2
    )
    SELECT trial_id,
           (extract(epoch FROM date_trunc('minute', second)) * 1000)::float8 AS minute_ms,
           sum(n)::int AS count,
           max(n)::int AS peak
      FROM per_second
     GROUP BY 1, 2
     ORDER BY 1, 2`);
  const out = new Map<string, Arrivals>();
  for (const raw of res.rows) {
    const row = raw as { trial_id: string; minute_ms: number; count: number; peak: number };
    let entry = out.get(row.trial_id);
    if (!entry) {
      entry = { peakPerSecond: 0, perMinute: [] };
      out.set(row.trial_id, entry);
    }
    entry.perMinute.push({
      minute: new Date(Number(row.minute_ms)).toISOString(),
      count: Number(row.count),
    });
    entry.peakPerSecond = Math.max(entry.peakPerSecond, Number(row.peak));
  }
  return out;
}

async function reviewsOf(db: Database, ids: string[]): Promise<Map<string, ReviewSummary>> {
  const res = await db.execute(sql`
    SELECT trial_id, count(*)::int AS count, round(avg(rating), 2)::float8 AS average,
           min(rating)::int AS min, max(rating)::int AS max
      FROM reviews
     WHERE trial_id IN ${ids}
     GROUP BY trial_id`);
  const out = new Map<string, ReviewSummary>();
  for (const raw of res.rows) {
    const row = raw as {
      trial_id: string;
      count: number;
      average: number;
      min: number;
      max: number;
    };
    out.set(row.trial_id, {
      count: Number(row.count),
      average: Number(row.average),
      min: Number(row.min),
      max: Number(row.max),
    });
  }
  return out;
}

/** Every column the job computes except `computed_at`: what "changed" compares. */
const CONTENT_COLUMNS = [
  "product_id",
  "company_id",
  "slots",
  "applicants",
  "won",
  "waitlisted",
  "cancelled",
  "promoted",
  "rejected",
  "opened_at",
  "filled_at",
  "seconds_to_fill",
  "peak_per_second",
  "per_minute",
  "reviews_count",
  "reviews_average",
  "reviews_min",
  "reviews_max",
  "confirmation_rate",
  "median_seconds_to_confirm",
  "review_completion_rate",
  "on_time_rate",
] as const;

/** One statement for the batch; rows whose content is unchanged are left untouched. */
async function upsertStats(db: Database, rows: NewTrialStatsRow[]): Promise<void> {
  if (rows.length === 0) return;
  const current = sql.raw(`(${CONTENT_COLUMNS.map((c) => `trial_stats.${c}`).join(", ")})`);
  const incoming = sql.raw(`(${CONTENT_COLUMNS.map((c) => `excluded.${c}`).join(", ")})`);
  const set = Object.fromEntries(
    [...CONTENT_COLUMNS, "computed_at"].map((c) => [camel(c), sql.raw(`excluded.${c}`)]),
  );
  await db
    .insert(trialStats)
    .values(rows)
    .onConflictDoUpdate({
      target: trialStats.trialId,
      set,
      setWhere: sql`${current} IS DISTINCT FROM ${incoming}`,
    });
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
