import { and, eq, gte, isNull, sql } from "drizzle-orm";
import { JOURNEY_RULES } from "../../core/vocabulary/journey";
import type { Database } from "../../db/client";
import { applications, winnerJourneys } from "../../db/schema";
import { AppError } from "../errors";
import { getTrialRow } from "../services/trials";
import type { JourneyRow } from "./journey";

const EXTENSION_MS = JOURNEY_RULES.extensionDays * 86_400_000;

/**
 * POST /v1/trials/:id/applications/me/extend: the member's one self-service extension of the
 * review deadline. The update itself decides (only an open, unextended journey whose deadline
 * has not passed moves), so two concurrent requests extend once; the refusal then says why.
 */
export async function extendMyReviewDeadline(
  db: Database,
  userId: string,
  trialId: string,
  at: Date,
): Promise<JourneyRow> {
  const trial = await getTrialRow(db, trialId);
  const [application] = await db
    .select({ id: applications.id })
    .from(applications)
    .where(and(eq(applications.trialId, trial.id), eq(applications.userId, userId)))
    .limit(1);
  if (!application) {
    throw new AppError("APPLICATION_NOT_FOUND", "You have not applied to this trial.");
  }
  const [extended] = await db
    .update(winnerJourneys)
    .set({
      reviewDueAt: sql`${winnerJourneys.reviewDueAt} + make_interval(secs => ${EXTENSION_MS / 1000})`,
      extendedAt: at,
      updatedAt: at,
    })
    .where(
      and(
        eq(winnerJourneys.applicationId, application.id),
        isNull(winnerJourneys.extendedAt),
        isNull(winnerJourneys.completedAt),
        isNull(winnerJourneys.missedAt),
        gte(winnerJourneys.reviewDueAt, at),
      ),
    )
    .returning();
  if (extended) return extended;
  throw await whyNotExtended(db, application.id, at);
}

async function whyNotExtended(db: Database, applicationId: string, at: Date): Promise<AppError> {
  const [journey] = await db
    .select()
    .from(winnerJourneys)
    .where(eq(winnerJourneys.applicationId, applicationId))
    .limit(1);
  if (!journey) {
    return new AppError("NOT_SHIPPED", "The review deadline starts when your parcel ships.");
  }
  if (journey.completedAt || journey.missedAt || journey.reviewDueAt < at) {
    return new AppError("JOURNEY_COMPLETE", "The review deadline has already ended.");
  }
  return new AppError(
    "EXTENSION_USED",
    `The review deadline can be extended once; it is ${journey.reviewDueAt.toISOString()}.`,
  );
}
