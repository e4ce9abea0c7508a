import { and, eq, gte, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { winnerJourneys } from "../../db/schema";

type Executor = Pick<Database, "update">;

/**
 * A review written by the deadline completes its journey: called in the review's own
 * transaction, so a review and its completion are stored together or not at all. A review
 * after the deadline completes nothing (the missed-deadline job records the strike), and a
 * journey already ended stays as it ended.
 */
export async function completeJourneyOnReview(
  tx: Executor,
  applicationId: string,
  at: Date,
): Promise<boolean> {
  const done = await tx
    .update(winnerJourneys)
    .set({ completedAt: at, updatedAt: at })
    .where(
      and(
        eq(winnerJourneys.applicationId, applicationId),
        isNull(winnerJourneys.completedAt),
        isNull(winnerJourneys.missedAt),
        gte(winnerJourneys.reviewDueAt, at),
      ),
    )
    .returning({ id: winnerJourneys.applicationId });
  return done.length > 0;
}
