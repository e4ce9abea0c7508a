import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { TrialGates } from "../../core/ports/trial-gate";
import type { Database } from "../../db/client";
import { reviews } from "../../db/schema";
import type { Caller } from "../context";
import { AppError } from "../errors";
import { completeJourneyOnReview } from "../journeys/review-completion";
import { decodeCursor, type Page, toPage } from "../lib/cursor";
import { CreatedCursor, type CreatedKey, createdKeyOf, olderThan } from "../lib/keyset";
import { presentReview } from "../presenters";
import { getProduct } from "./products";
import { getTrialRow } from "./trials";

export type ReviewRow = typeof reviews.$inferSelect;

export interface ReviewInput {
  rating: number;
  title: string;
  body: string;
}

/**
 * Only the caller's own WON application may be reviewed, and the trial's gate decides that:
 * it is the source of truth for who won (a promoted member is WON there at once, while the
 * Postgres copy of the ledger may still lag). The author is always the caller.
 */
export async function createReview(
  db: Database,
  gates: TrialGates,
  caller: Caller,
  trialId: string,
  input: ReviewInput,
): Promise<ReviewRow> {
  const trial = await getTrialRow(db, trialId);
  const application = await gates.get(trial.id).findApplication(caller.userId);
  if (application?.status !== "WON") {
    throw new AppError(
      "NOT_A_WINNER",
      "Only a member who won a place in this trial can review it.",
    );
  }
  // The unique application_id decides between concurrent submits, not a prior SELECT:
  // exactly one insert returns a row, the other finds the conflict.
  const now = new Date();
  const row = await db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(reviews)
      .values({
        id: crypto.randomUUID(),
        trialId: trial.id,
        productId: trial.productId,
        userId: caller.userId,
        applicationId: application.id,
        rating: input.rating,
        title: input.title,
        body: input.body,
        // Millisecond precision on purpose: the list cursor carries milliseconds, and a
        // microsecond default would let rows within one millisecond slip between pages.
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: reviews.applicationId })
      .returning();
    // A review by the deadline completes the winner's journey, in the same transaction.
    if (inserted) await completeJourneyOnReview(tx, application.id, now);
    return inserted;
  });
  if (!row) throw new AppError("REVIEW_EXISTS", "You have already reviewed this trial.");
  return row;
}

/** The reviews of one trial or of every trial of one product. */
export type ReviewScope = { trialId: string } | { productId: string };

export interface ReviewSummary {
  count: number;
  /** Rounded to 2 decimals; null while there are no reviews. */
  average: number | null;
}

/** 404 for an unknown trial or product, so an empty list always means "no reviews yet". */
async function assertScopeExists(db: Database, scope: ReviewScope): Promise<void> {
  if ("trialId" in scope) await getTrialRow(db, scope.trialId);
  else await getProduct(db, scope.productId);
}

const scopeFilter = (scope: ReviewScope): SQL =>
  "trialId" in scope ? eq(reviews.trialId, scope.trialId) : eq(reviews.productId, scope.productId);

/** Newest first; fetches limit + 1 rows so the caller can tell whether a next page exists. */
async function listReviews(
  db: Database,
  scope: ReviewScope,
  page: { limit: number; after: CreatedKey | null },
): Promise<ReviewRow[]> {
  const filters = [scopeFilter(scope)];
  if (page.after) filters.push(olderThan(reviews.createdAt, reviews.id, page.after));
  return db
    .select()
    .from(reviews)
    .where(and(...filters))
    .orderBy(desc(reviews.createdAt), desc(reviews.id))
    .limit(page.limit + 1);
}

/** Over all the scope's reviews, not just the page shown. */
async function summarizeReviews(db: Database, scope: ReviewScope): Promise<ReviewSummary> {
  const [row] = await db
    .select({
      count: sql<number>`count(*)::int`,
      // numeric comes back as a string; null when there is nothing to average.
      average: sql<string | null>`round(avg(${reviews.rating}), 2)`,
    })
    .from(reviews)
    .where(scopeFilter(scope));
  const count = Number(row?.count ?? 0);
  const average = row?.average ?? null;
  return { count, average: average === null ? null : Number(average) };
}

/** One page of a list, with the summary of the whole list: what the GET routes answer. */
export async function readReviewPage(
  db: Database,
  scope: ReviewScope,
  query: { limit: number; cursor?: string | undefined },
): Promise<Page<ReturnType<typeof presentReview>> & { summary: ReviewSummary }> {
  const after = decodeCursor(query.cursor, CreatedCursor);
  await assertScopeExists(db, scope);
  const [rows, summary] = await Promise.all([
    listReviews(db, scope, { limit: query.limit, after }),
    summarizeReviews(db, scope),
  ]);
  return { ...toPage(rows, query.limit, presentReview, CreatedCursor, createdKeyOf), summary };
}

/**
 * The caller's own review of a trial (one at most: one application per member per trial).
 * The trial must exist, so a wrong id is told apart from a review not written yet.
 */
export async function readOwnReview(
  db: Database,
  caller: Caller,
  trialId: string,
): Promise<ReviewRow> {
  await getTrialRow(db, trialId);
  const [row] = await db
    .select()
    .from(reviews)
    .where(and(eq(reviews.trialId, trialId), eq(reviews.userId, caller.userId)))
    .limit(1);
  if (!row) throw new AppError("REVIEW_NOT_FOUND", "You have not reviewed this trial.");
  return row;
}

async function getReview(db: Database, id: string): Promise<ReviewRow> {
  const [row] = await db.select().from(reviews).where(eq(reviews.id, id)).limit(1);
  if (!row) throw new AppError("REVIEW_NOT_FOUND", "No such review.");
  return row;
}

export async function updateReview(
  db: Database,
  caller: Caller,
  id: string,
  patch: Partial<ReviewInput>,
): Promise<ReviewRow> {
  assertMayChangeReview(caller, await getReview(db, id));
  const fields = Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as Partial<ReviewInput>;
  const [row] = await db
    .update(reviews)
    .set({ ...fields, updatedAt: new Date() })
    .where(eq(reviews.id, id))
    .returning();
  // Deleted between the read and the write.
  if (!row) throw new AppError("REVIEW_NOT_FOUND", "No such review.");
  return row;
}

/** Hard delete: a review carries nothing another record depends on. */
export async function deleteReview(db: Database, caller: Caller, id: string): Promise<void> {
  assertMayChangeReview(caller, await getReview(db, id));
  await db.delete(reviews).where(eq(reviews.id, id));
}

function assertMayChangeReview(caller: Caller, review: ReviewRow): void {
  if (caller.role === "ADMIN" || caller.userId === review.userId) return;
  throw new AppError("NOT_THE_OWNER", "Only the review's author or an ADMIN can change it.");
}
