import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { applications, notifications, reviews, winnerJourneys } from "../../db/schema";
import type { Caller } from "../context";
import { AppError } from "../errors";
import { assertOwnsTrial, getTrialRow, type TrialRow } from "../services/trials";
import type { JourneyRow } from "./journey";
import type { ShipmentInput, ShipmentRowInput } from "./shipment-input";

/** Postgres's executor inside a transaction: what the writes below run on. */
type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

const DAY_MS = 86_400_000;

/** Why a row of a shipment cannot be written (a refusal code of the API's vocabulary). */
export type ShipmentRefusal = "APPLICATION_NOT_FOUND" | "NOT_CONFIRMED";

/** The trial, 404 when unknown and 403 unless the caller owns it (or is an ADMIN). */
export async function ownedTrial(db: Database, caller: Caller, trialId: string) {
  const trial = await getTrialRow(db, trialId);
  assertOwnsTrial(caller, trial);
  return trial;
}

/**
 * PUT …/applications/:applicationId/shipment: the first shipment starts the review deadline
 * (shippedAt + the trial's reviewWithinDays) and records the SHIPPED message; a later one
 * corrects carrier and tracking number only, the deadline stays. Only for a confirmed winner.
 */
export async function recordShipment(
  db: Database,
  caller: Caller,
  trialId: string,
  applicationId: string,
  input: ShipmentInput,
  at: Date,
): Promise<JourneyRow> {
  const trial = await ownedTrial(db, caller, trialId);
  return db.transaction(async (tx) => {
    const refusal = (await refusalsOf(tx, trial.id, [applicationId])).get(applicationId);
    if (refusal === "APPLICATION_NOT_FOUND") {
      throw new AppError("APPLICATION_NOT_FOUND", "This trial has no such application.");
    }
    if (refusal === "NOT_CONFIRMED") {
      throw new AppError(
        "NOT_CONFIRMED",
        "A shipment is accepted only for a winner who confirmed an address.",
      );
    }
    const [journey] = await writeShipments(tx, trial, [{ applicationId, ...input }], at);
    if (!journey) throw new Error("the shipment upsert returned no row");
    return journey;
  });
}

/**
 * Checks each application id against the trial, in the caller's transaction and with the
 * applications locked (FOR SHARE) until it ends: the decisions consumer cannot cancel a
 * place between this check and the write. An id missing from the answer may be shipped.
 */
export async function refusalsOf(
  tx: Tx,
  trialId: string,
  applicationIds: readonly string[],
): Promise<Map<string, ShipmentRefusal>> {
  const refusals = new Map<string, ShipmentRefusal>(
    applicationIds.map((id) => [id, "APPLICATION_NOT_FOUND"]),
  );
  if (applicationIds.length === 0) return refusals;
  const found = await tx
    .select({
      id: applications.id,
      confirmed: sql<boolean>`${applications.status} = 'WON' AND ${applications.confirmedAt} IS NOT NULL`,
    })
    .from(applications)
    .where(and(eq(applications.trialId, trialId), inArray(applications.id, [...applicationIds])))
    .for("share");
  for (const a of found) {
    if (a.confirmed) refusals.delete(a.id);
    else refusals.set(a.id, "NOT_CONFIRMED");
  }
  return refusals;
}

/**
 * Upserts the journeys of rows already checked by `refusalsOf` in the same transaction, and
 * records one SHIPPED message per application (UNIQUE (application_id, kind): a correction
 * finds it and tells nobody twice). The minute job queues it (workers/scheduled/journeys/).
 * A winner who reviewed before the parcel was recorded has nothing left to do: complete.
 */
export async function writeShipments(
  tx: Tx,
  trial: Pick<TrialRow, "id" | "reviewWithinDays">,
  rows: readonly ShipmentRowInput[],
  at: Date,
): Promise<JourneyRow[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.applicationId);
  const owners = new Map(
    (
      await tx
        .select({ id: applications.id, userId: applications.userId })
        .from(applications)
        .where(inArray(applications.id, ids))
    ).map((a) => [a.id, a.userId]),
  );
  const reviewed = new Set(
    (
      await tx
        .select({ id: reviews.applicationId })
        .from(reviews)
        .where(inArray(reviews.applicationId, ids))
    ).map((r) => r.id),
  );
  const reviewDueAt = new Date(at.getTime() + trial.reviewWithinDays * DAY_MS);
  const values = rows.map((r) => {
    const userId = owners.get(r.applicationId);
    if (!userId) throw new Error(`application ${r.applicationId} was not checked first`);
    return {
      applicationId: r.applicationId,
      trialId: trial.id,
      userId,
      carrier: r.carrier,
      trackingNumber: r.trackingNumber,
      shippedAt: at,
      reviewDueAt,
      completedAt: reviewed.has(r.applicationId) ? at : null,
      updatedAt: at,
    };
  });
  const journeys = await tx
    .insert(winnerJourneys)
    .values(values)
    .onConflictDoUpdate({
      target: winnerJourneys.applicationId,
      // A correction: the parcel's facts change, its shipping time and deadline do not.
      set: {
        carrier: sql`excluded.carrier`,
        trackingNumber: sql`excluded.tracking_number`,
        updatedAt: at,
      },
    })
    .returning();
  await tx
    .insert(notifications)
    .values(
      journeys.map((j) => ({
        userId: j.userId,
        applicationId: j.applicationId,
        trialId: j.trialId,
        kind: "SHIPPED" as const,
      })),
    )
    .onConflictDoNothing({ target: [notifications.applicationId, notifications.kind] });
  return journeys;
}
