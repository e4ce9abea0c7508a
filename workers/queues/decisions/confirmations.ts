import type { ConfirmationEvent } from "../../../core/first-come/types";
import type { Database } from "../../../db/client";
import { shippingAddresses } from "../../../db/schema";

/**
 * A confirmation's sealed address, stored once: the first delivery inserts it, a redelivery
 * or a duplicate changes nothing (the gate confirms an application once, so there is never a
 * second, different address to keep).
 */
export async function insertSealedAddresses(
  db: Pick<Database, "insert">,
  confirmations: readonly ConfirmationEvent[],
): Promise<void> {
  if (confirmations.length === 0) return;
  await db
    .insert(shippingAddresses)
    .values(
      confirmations.map(({ application: a, address }) => ({
        applicationId: a.id,
        userId: a.userId,
        trialId: a.trialId,
        keyId: address.keyId,
        sealed: address.sealed,
      })),
    )
    .onConflictDoNothing({ target: shippingAddresses.applicationId });
}
