import { eq, sql } from "drizzle-orm";
import { JOURNEY_RULES } from "../../core/vocabulary/journey";
import type { Database } from "../../db/client";
import { shippingAddresses } from "../../db/schema";

/**
 * Addresses are kept while a shipment may still need them, and no longer
 * (docs/decisions/0034): the daily job deletes those whose trial closed more than
 * JOURNEY_RULES.addressRetentionDays ago. Returns how many it deleted.
 */
export async function eraseExpiredAddresses(
  db: Database,
  now: Date,
  retentionDays: number = JOURNEY_RULES.addressRetentionDays,
): Promise<number> {
  const result = await db.execute(sql`
    DELETE FROM shipping_addresses AS s
     USING trials AS t
     WHERE s.trial_id = t.id
       AND t.closes_at < ${now}::timestamptz - make_interval(days => ${retentionDays}::int)`);
  return result.rowCount ?? 0;
}

/** Every address of one member, at once: called in the account deletion's transaction. */
export async function eraseAddressesOf(
  db: Pick<Database, "delete">,
  userId: string,
): Promise<void> {
  await db.delete(shippingAddresses).where(eq(shippingAddresses.userId, userId));
}
