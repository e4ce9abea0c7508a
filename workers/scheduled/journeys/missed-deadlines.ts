import { sql } from "drizzle-orm";
import type { Metrics } from "../../../core/ports/metrics";
import type { Database } from "../../../db/client";
import { batchThenEach } from "../../lib/isolated";

/** Journeys ended per run at most; the next minute takes the rest. */
const BATCH = 500;

/**
 * A review deadline passed without a review: the journey is marked missed, a strike is
 * recorded and the STRIKE_RECORDED message too, in ONE statement (so one transaction). The
 * update only takes journeys still open, and strikes and notifications are UNIQUE per
 * application: a second run, a duplicated job or a run racing another records one strike
 * and one message (docs/decisions/0035). Returns the members it struck, one entry per new
 * strike, for what follows a strike once it is committed (ending restricted members' tokens:
 * workers/strikes/restriction-change.ts).
 */
export async function recordMissedDeadlines(
  db: Database,
  now: Date,
  metrics?: Metrics,
): Promise<string[]> {
  const at = now.toISOString();
  const due = await db.execute<{ application_id: string }>(sql`
    SELECT application_id FROM winner_journeys
     WHERE completed_at IS NULL AND missed_at IS NULL AND review_due_at < ${at}::timestamptz
     ORDER BY review_due_at
     LIMIT ${BATCH}`);
  const ids = due.rows.map((r) => r.application_id);
  const struck: string[] = [];
  // One journey the statement trips on must not hold the others back (workers/lib/isolated.ts).
  await batchThenEach(
    { job: "missed-deadlines", idOf: (id) => id, metrics },
    ids,
    async (batch) => {
      struck.push(...(await endMissed(db, batch, at)));
    },
  );
  return struck;
}

/** The members of the journeys this statement ended (each a new strike). */
async function endMissed(db: Database, ids: readonly string[], at: string): Promise<string[]> {
  const list = sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const result = await db.execute<{ user_id: string }>(sql`
    WITH missed AS (
      UPDATE winner_journeys
         SET missed_at = ${at}::timestamptz, updated_at = ${at}::timestamptz
       WHERE application_id IN (${list})
         AND completed_at IS NULL AND missed_at IS NULL
         AND review_due_at < ${at}::timestamptz
      RETURNING application_id, trial_id, user_id
    ), strike AS (
      INSERT INTO strikes (user_id, application_id, trial_id, at)
      SELECT user_id, application_id, trial_id, ${at}::timestamptz FROM missed
      ON CONFLICT (application_id) DO NOTHING
    ), told AS (
      INSERT INTO notifications (user_id, application_id, trial_id, kind)
      SELECT user_id, application_id, trial_id, 'STRIKE_RECORDED' FROM missed
      ON CONFLICT (application_id, kind) DO NOTHING
    )
    SELECT user_id FROM missed`);
  return result.rows.map((r) => r.user_id);
}
