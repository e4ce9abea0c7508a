import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { trialStats } from "../../../db/schema";
import { AppError } from "../../errors";

export type TrialStatsRow = typeof trialStats.$inferSelect;

/** The contract's shape of one trial's statistics. */
export function presentTrialStats(row: TrialStatsRow) {
  return {
    trialId: row.trialId,
    slots: row.slots,
    applicants: row.applicants,
    won: row.won,
    waitlisted: row.waitlisted,
    cancelled: row.cancelled,
    promoted: row.promoted,
    rejected: row.rejected,
    openedAt: row.openedAt.toISOString(),
    filledAt: row.filledAt?.toISOString() ?? null,
    secondsToFill: row.secondsToFill,
    peakPerSecond: row.peakPerSecond,
    perMinute: row.perMinute,
    reviews: {
      count: row.reviewsCount,
      average: row.reviewsAverage,
      min: row.reviewsMin,
      max: row.reviewsMax,
    },
    journey: {
      confirmationRate: row.confirmationRate,
      medianSecondsToConfirm: row.medianSecondsToConfirm,
      reviewCompletionRate: row.reviewCompletionRate,
      onTimeRate: row.onTimeRate,
    },
    computedAt: row.computedAt.toISOString(),
  };
}

/**
 * Statistics are only ever built by the cron (never on a request, which would put gate
 * RPCs and aggregates on a read path): a trial the cron has not reached yet is a 404
 * STATS_NOT_READY, which tells a client "exists, try later" apart from zeros.
 */
export async function getTrialStats(db: Database, trialId: string): Promise<TrialStatsRow> {
  const [row] = await db.select().from(trialStats).where(eq(trialStats.trialId, trialId)).limit(1);
  if (!row) {
    throw new AppError(
      "STATS_NOT_READY",
      "Statistics for this trial have not been built yet; they are refreshed every 5 minutes.",
    );
  }
  return row;
}

export async function listCompanyStats(
  db: Database,
  companyId: string,
  afterTrialId: string | null,
  limit: number,
): Promise<TrialStatsRow[]> {
  return db
    .select()
    .from(trialStats)
    .where(
      and(
        eq(trialStats.companyId, companyId),
        afterTrialId === null ? undefined : gt(trialStats.trialId, afterTrialId),
      ),
    )
    .orderBy(asc(trialStats.trialId))
    .limit(limit + 1);
}

/**
 * Totals over the product's trials that have statistics (`trials` says how many). The
 * review average is weighted by each trial's review count, so it equals the average of all
 * the product's ratings. `computedAt` is the oldest of the rows: the totals are at least
 * that fresh. A product with no statistics yet answers zeros, not an error.
 */
export async function productTotals(db: Database, productId: string) {
  const res = await db.execute(sql`
    SELECT count(*)::int AS trials,
           coalesce(sum(slots), 0)::int AS slots,
           coalesce(sum(applicants), 0)::int AS applicants,
           coalesce(sum(won), 0)::int AS won,
           coalesce(sum(waitlisted), 0)::int AS waitlisted,
           coalesce(sum(cancelled), 0)::int AS cancelled,
           coalesce(sum(promoted), 0)::int AS promoted,
           coalesce(sum(rejected), 0)::int AS rejected,
           coalesce(max(peak_per_second), 0)::int AS peak_per_second,
           coalesce(sum(reviews_count), 0)::int AS reviews_count,
           round((sum(reviews_average * reviews_count) / nullif(sum(reviews_count), 0))::numeric, 2)::float8
             AS reviews_average,
           min(reviews_min)::int AS reviews_min,
           max(reviews_max)::int AS reviews_max,
           (extract(epoch FROM min(computed_at)) * 1000)::float8 AS computed_ms
      FROM trial_stats
     WHERE product_id = ${productId}`);
  const r = res.rows[0] as Record<string, number | null>;
  const num = (key: string) => Number(r[key] ?? 0);
  const nullable = (key: string) => (r[key] === null ? null : Number(r[key]));
  return {
    productId,
    trials: num("trials"),
    slots: num("slots"),
    applicants: num("applicants"),
    won: num("won"),
    waitlisted: num("waitlisted"),
    cancelled: num("cancelled"),
    promoted: num("promoted"),
    rejected: num("rejected"),
    peakPerSecond: num("peak_per_second"),
    reviews: {
      count: num("reviews_count"),
      average: nullable("reviews_average"),
      min: nullable("reviews_min"),
      max: nullable("reviews_max"),
    },
    computedAt: r.computed_ms === null ? null : new Date(Number(r.computed_ms)).toISOString(),
  };
}
