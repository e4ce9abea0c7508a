import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { applications, shippingAddresses } from "../../db/schema";
import { AppError } from "../errors";
import { getTrialRow } from "../services/trials";
import type { PersonalDataKeys } from "./keys";
import { openShippingAddress } from "./sealing";

/**
 * The member's own address for a trial, opened. Not written to the access log: the log
 * tells a member who else read their data, and this read is their own.
 */
export async function readOwnAddress(
  db: Database,
  keys: PersonalDataKeys,
  userId: string,
  trialId: string,
) {
  const trial = await getTrialRow(db, trialId);
  const [row] = await db
    .select({
      applicationId: shippingAddresses.applicationId,
      keyId: shippingAddresses.keyId,
      sealed: shippingAddresses.sealed,
      storedAt: shippingAddresses.createdAt,
      confirmedAt: applications.confirmedAt,
    })
    .from(shippingAddresses)
    .innerJoin(applications, eq(applications.id, shippingAddresses.applicationId))
    .where(and(eq(shippingAddresses.trialId, trial.id), eq(shippingAddresses.userId, userId)))
    .limit(1);
  if (!row) {
    // Never confirmed, or erased (90 days after the trial ended, or with the account).
    throw new AppError("ADDRESS_NOT_FOUND", "No address of yours is on file for this trial.");
  }
  const address = await openShippingAddress(keys, row.applicationId, row);
  return {
    ...address,
    // The row is written by the consumer that also sets confirmed_at; a lagging copy falls
    // back to when the address was stored.
    confirmedAt: (row.confirmedAt ?? row.storedAt).toISOString(),
  };
}
