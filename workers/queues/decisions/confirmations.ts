import { sql } from "drizzle-orm";
import type { ConfirmationEvent } from "../../../core/first-come/types";
import type { Database } from "../../../db/client";

/**
 * A confirmation's sealed address, stored once: the first delivery inserts it, a redelivery
 * or a duplicate changes nothing (the gate confirms an application once, so there is never a
 * second, different address to keep). An account deleted after it confirmed gets no address
 * stored at all: deletion erases addresses at once, and a late delivery must not bring one
 * back.
 */
export async function insertSealedAddresses(
  db: Pick<Database, "execute">,
  confirmations: readonly ConfirmationEvent[],
): Promise<void> {
  if (confirmations.length === 0) return;
  const rows = sql.join(
    confirmations.map(
      ({ application: a, address }) =>
        sql`(${a.id}::uuid, ${a.userId}::uuid, ${a.trialId}::uuid, ${address.keyId}::text, ${address.sealed}::text)`,
    ),
    sql`, `,
  );
  await db.execute(sql`
    INSERT INTO shipping_addresses (application_id, user_id, trial_id, key_id, sealed)
    SELECT v.application_id, v.user_id, v.trial_id, v.key_id, v.sealed
      FROM (VALUES ${rows}) AS v(application_id, user_id, trial_id, key_id, sealed)
      JOIN users u ON u.id = v.user_id AND u.deleted_at IS NULL
    ON CONFLICT (application_id) DO NOTHING`);
}
