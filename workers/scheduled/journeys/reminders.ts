import { type SQL, sql } from "drizzle-orm";
import { JOURNEY_RULES, type JourneyMessage } from "../../../core/vocabulary/journey";
import type { Database } from "../../../db/client";

/** Each reminder and how many days before the review deadline it goes out. */
const REVIEW_REMINDERS = [
  { days: 3, kind: "REVIEW_DUE_IN_3_DAYS" },
  { days: 1, kind: "REVIEW_DUE_IN_1_DAY" },
] as const satisfies readonly { days: number; kind: JourneyMessage }[];

// The list above names the days of JOURNEY_RULES.reminderDays, one kind each.
if (REVIEW_REMINDERS.map((r) => r.days).join() !== JOURNEY_RULES.reminderDays.join()) {
  throw new Error("REVIEW_REMINDERS must match JOURNEY_RULES.reminderDays");
}

const DAY_MS = 86_400_000;

/**
 * Records the reminders due at `now` for every open journey: the D-3 one from three days
 * before the deadline, the D-1 one from one day before, until the deadline. Only the latest
 * reminder due is recorded (a job that was down for two days does not send a stale "3 days"
 * beside the "tomorrow"). A row per (application, kind), UNIQUE: a second run, a duplicated
 * job or a restart records nothing new, so each reminder is sent once (docs/decisions/0035).
 * Returns how many it recorded.
 */
export async function recordReviewReminders(db: Database, now: Date): Promise<number> {
  const earliest = Math.max(...REVIEW_REMINDERS.map((r) => r.days));
  const at = now.toISOString();
  const result = await db.execute(sql`
    INSERT INTO notifications (user_id, application_id, trial_id, kind)
    SELECT j.user_id, j.application_id, j.trial_id, ${reminderKind(at)}
      FROM winner_journeys j
     WHERE j.completed_at IS NULL AND j.missed_at IS NULL
       AND j.review_due_at >= ${at}::timestamptz
       AND j.review_due_at - make_interval(secs => ${(earliest * DAY_MS) / 1000}) <= ${at}::timestamptz
    ON CONFLICT (application_id, kind) DO NOTHING`);
  return result.rowCount ?? 0;
}

/** The reminder with the fewest days whose moment has come: a CASE over the list. */
function reminderKind(at: string): SQL {
  const nearestFirst = [...REVIEW_REMINDERS].sort((a, b) => a.days - b.days);
  const branches = nearestFirst.map(
    (r) =>
      sql`WHEN j.review_due_at - make_interval(secs => ${(r.days * DAY_MS) / 1000}) <= ${at}::timestamptz THEN ${r.kind}`,
  );
  return sql`(CASE ${sql.join(branches, sql` `)} END)`;
}
