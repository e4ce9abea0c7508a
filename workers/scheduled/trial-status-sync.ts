import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";

/**
 * Writes time-driven status changes to the catalog so lists by status are right. It
 * compares times on every run instead of waiting for an expiry event, so a missed tick
 * is caught up by the next one. (FULL comes from the gate, not from the clock.)
 */
export async function syncTrialStatuses(db: Database, now: Date): Promise<string[]> {
  const result = await db.execute(sql`
    UPDATE trials
       SET status = CASE WHEN closes_at <= ${now} THEN 'CLOSED' ELSE 'OPEN' END,
           closed_reason = CASE WHEN closes_at <= ${now} THEN COALESCE(closed_reason, 'ENDED') ELSE closed_reason END,
           updated_at = ${now}
     WHERE (status = 'SCHEDULED' AND opens_at <= ${now})
        OR (status = 'OPEN' AND closes_at <= ${now})
    RETURNING id`);
  return result.rows.map((r) => String((r as { id: unknown }).id));
}
