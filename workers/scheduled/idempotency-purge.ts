import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";

/** Idempotency keys live a day (workers/middleware/idempotency.ts): the daily job clears them. */
export async function purgeIdempotencyKeys(db: Database, now: Date): Promise<number> {
  const result = await db.execute(sql`
    DELETE FROM idempotency_keys WHERE created_at < ${now}::timestamptz - interval '24 hours'`);
  return result.rowCount ?? 0;
}
