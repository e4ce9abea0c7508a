import { and, eq, inArray, sql } from "drizzle-orm";
import type { NotifierChannel } from "../../core/vocabulary/notifications";
import type { Database } from "../../db/client";
import { applications, notifications, trials, users, winnerJourneys } from "../../db/schema";

/** Everything the sender needs about a batch of notifications, in one query. */
export async function loadNotifications(db: Database, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      status: notifications.status,
      slackId: users.slackId,
      userName: users.name,
      trialTitle: trials.title,
      applicationStatus: applications.status,
      position: applications.position,
      confirmBy: applications.confirmBy,
      confirmedAt: applications.confirmedAt,
      cancelledReason: applications.cancelledReason,
      // The journey's facts, for its messages (shipped, reminders, a strike).
      carrier: winnerJourneys.carrier,
      trackingNumber: winnerJourneys.trackingNumber,
      reviewDueAt: winnerJourneys.reviewDueAt,
      // Whether an earlier attempt may have reached Slack unrecorded (./send.ts).
      attempts: notifications.attempts,
      lastError: notifications.lastError,
      createdAt: notifications.createdAt,
    })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .leftJoin(trials, eq(trials.id, notifications.trialId))
    .leftJoin(applications, eq(applications.id, notifications.applicationId))
    .leftJoin(winnerJourneys, eq(winnerJourneys.applicationId, notifications.applicationId))
    .where(inArray(notifications.id, [...ids]));
}

/**
 * Counts one attempt for each row, in its own committed statement BEFORE any send, so no
 * later failure can roll it back (the original project's bug: its counter was undone with the
 * failure and the retry limit never arrived). Only PENDING rows are claimed: a row missing
 * from the answer was finished by someone else. Claiming the whole batch up front also
 * touches every row's updated_at, so the Deno sweep leaves rows this sender holds alone; an
 * invocation that dies mid-batch has spent one attempt of the unsent rows' budget. The claim
 * clears the last error: a row still PENDING with attempts and no error is one whose last
 * send has no recorded outcome (it may have reached Slack), which ./send.ts looks up first.
 */
export async function claimAttempts(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .update(notifications)
    .set({ attempts: sql`${notifications.attempts} + 1`, lastError: null, updatedAt: sql`now()` })
    .where(and(inArray(notifications.id, [...ids]), eq(notifications.status, "PENDING")))
    .returning({ id: notifications.id, attempts: notifications.attempts });
  return new Map(rows.map((r) => [r.id, r.attempts]));
}

type DeliveryResult =
  | { status: "SENT"; channel: NotifierChannel }
  | { status: "SKIPPED"; reason: string }
  | { status: "FAILED"; channel: NotifierChannel | null; error: string }
  | { status: "PENDING"; channel: NotifierChannel; error: string };

/** Records what the send did; only a PENDING row changes, so a finished one stays finished. */
export async function recordDelivery(
  db: Database,
  id: string,
  delivery: DeliveryResult,
): Promise<void> {
  const common = { status: delivery.status, updatedAt: sql`now()` };
  const set =
    delivery.status === "SENT"
      ? { ...common, channel: delivery.channel, lastError: null, sentAt: sql`now()` }
      : delivery.status === "SKIPPED"
        ? { ...common, channel: null, lastError: delivery.reason }
        : { ...common, channel: delivery.channel, lastError: delivery.error };
  await db
    .update(notifications)
    .set(set)
    .where(and(eq(notifications.id, id), eq(notifications.status, "PENDING")));
}
