import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import type { trialStats } from "../../../db/schema";

/**
 * After the win, per trial (API.md "After the win", docs/decisions/0036): how its winners
 * confirmed and reviewed. The exact definitions are the OpenAPI schema's (TrialStats.journey
 * in workers/openapi/responses.ts); each figure is null while its denominator is 0, never a
 * 0 that would read as "nobody".
 */
export type JourneyStats = Pick<
  typeof trialStats.$inferInsert,
  "confirmationRate" | "medianSecondsToConfirm" | "reviewCompletionRate" | "onTimeRate"
>;

export const NO_JOURNEYS: JourneyStats = {
  confirmationRate: null,
  medianSecondsToConfirm: null,
  reviewCompletionRate: null,
  onTimeRate: null,
};

/** Rates to 4 decimals, seconds to the millisecond: the row compares equal on a re-run. */
const ratio = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

/**
 * Two grouped queries for the whole batch. `now` is the run's scheduled time: a winner
 * still WON and unconfirmed past `confirm_by` has lost the place (the gate's release is on
 * its way to Postgres), and counts as not confirmed from then on.
 */
export async function journeysOf(
  db: Database,
  ids: string[],
  now: Date,
): Promise<Map<string, JourneyStats>> {
  const [confirmations, reviews] = await Promise.all([
    db.execute(sql`
      SELECT a.trial_id,
             count(*) FILTER (WHERE a.confirmed_at IS NOT NULL)::int AS confirmed,
             count(*) FILTER (
               WHERE a.confirmed_at IS NULL
                 AND ((a.status = 'CANCELLED' AND a.cancelled_reason = 'NOT_CONFIRMED')
                      OR (a.status = 'WON' AND a.confirm_by < ${now}))
             )::int AS unconfirmed,
             -- decided_at is when the place was won (a decision, a draw or a promotion):
             -- the gate keeps it when the winner confirms (core/first-come/confirmation.ts).
             percentile_cont(0.5) WITHIN GROUP (
               ORDER BY greatest(0, extract(epoch FROM a.confirmed_at - a.decided_at))::float8
             ) FILTER (WHERE a.confirmed_at IS NOT NULL) AS median_seconds
        FROM applications a
       WHERE a.trial_id IN ${ids}
       GROUP BY a.trial_id`),
    db.execute(sql`
      SELECT j.trial_id,
             count(*) FILTER (WHERE j.completed_at IS NOT NULL OR j.missed_at IS NOT NULL)::int
               AS settled,
             count(*) FILTER (WHERE j.completed_at IS NOT NULL)::int AS on_time,
             count(*) FILTER (
               WHERE (j.completed_at IS NOT NULL OR j.missed_at IS NOT NULL) AND r.id IS NOT NULL
             )::int AS reviewed
        FROM winner_journeys j
        LEFT JOIN reviews r ON r.application_id = j.application_id
       WHERE j.trial_id IN ${ids}
       GROUP BY j.trial_id`),
  ]);
  const out = new Map<string, JourneyStats>();
  const entry = (trialId: string) => {
    let found = out.get(trialId);
    if (!found) {
      found = { ...NO_JOURNEYS };
      out.set(trialId, found);
    }
    return found;
  };
  for (const raw of confirmations.rows) {
    const row = raw as {
      trial_id: string;
      confirmed: number;
      unconfirmed: number;
      median_seconds: number | null;
    };
    const stats = entry(row.trial_id);
    const confirmed = Number(row.confirmed);
    stats.confirmationRate = ratio(confirmed, confirmed + Number(row.unconfirmed));
    stats.medianSecondsToConfirm =
      row.median_seconds === null ? null : Math.round(Number(row.median_seconds) * 1000) / 1000;
  }
  for (const raw of reviews.rows) {
    const row = raw as { trial_id: string; settled: number; on_time: number; reviewed: number };
    const stats = entry(row.trial_id);
    stats.reviewCompletionRate = ratio(Number(row.reviewed), Number(row.settled));
    stats.onTimeRate = ratio(Number(row.on_time), Number(row.settled));
  }
  return out;
}
