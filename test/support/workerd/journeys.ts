import { and, eq, inArray } from "drizzle-orm";
import type { ApplicationStatus } from "../../../core/vocabulary/applications";
import type { JourneyMessage } from "../../../core/vocabulary/journey";
import { applications, notifications, winnerJourneys } from "../../../db/schema";
import type { NotificationQueue } from "../../../workers/queues/notifications/message";
import { runJourneyJobs } from "../../../workers/scheduled/journeys";
import { withDb } from "./db";
import type { TestUser } from "./fixtures";

export const DAY_MS = 86_400_000;

let nextSeq = 1;

/**
 * An application written straight into Postgres as the decisions consumer (and, for
 * `confirmed`, the confirmation) would leave it: the shipment routes, the extension and the
 * jobs read Postgres only, so these tests need no gate.
 */
export async function applicationRow(
  trialId: string,
  member: TestUser,
  { status = "WON", confirmed = true }: { status?: ApplicationStatus; confirmed?: boolean } = {},
) {
  const now = new Date();
  const [row] = await withDb((db) =>
    db
      .insert(applications)
      .values({
        id: crypto.randomUUID(),
        trialId,
        userId: member.id,
        seq: nextSeq++,
        status,
        position: status === "WAITLISTED" ? 1 : null,
        appliedAt: now,
        decidedAt: now,
        version: 1,
        confirmedAt: confirmed ? now : null,
      })
      .returning(),
  );
  if (!row) throw new Error("no application row");
  return row;
}

/** A shipped journey whose deadline is `dueInMs` from now (negative: already passed). */
export async function journeyRow(
  application: { id: string; trialId: string; userId: string },
  dueInMs: number,
  extra: Partial<typeof winnerJourneys.$inferInsert> = {},
) {
  const shippedAt = new Date(Date.now() - DAY_MS);
  const [row] = await withDb((db) =>
    db
      .insert(winnerJourneys)
      .values({
        applicationId: application.id,
        trialId: application.trialId,
        userId: application.userId,
        carrier: "DHL",
        trackingNumber: "JJD0001",
        shippedAt,
        reviewDueAt: new Date(Date.now() + dueInMs),
        ...extra,
      })
      .returning(),
  );
  if (!row) throw new Error("no journey row");
  return row;
}

export const journeyOf = async (applicationId: string) => {
  const [row] = await withDb((db) =>
    db.select().from(winnerJourneys).where(eq(winnerJourneys.applicationId, applicationId)),
  );
  return row ?? null;
};

/** The notification rows of these applications (of one kind, when given). */
export const notificationsOf = (applicationIds: string[], kind?: JourneyMessage) =>
  withDb((db) =>
    db
      .select()
      .from(notifications)
      .where(
        and(
          inArray(notifications.applicationId, applicationIds),
          kind ? eq(notifications.kind, kind) : undefined,
        ),
      ),
  );

/** A notifications queue that only keeps what it was handed. */
export function recordingQueue(): NotificationQueue & { ids: string[] } {
  const ids: string[] = [];
  return {
    ids,
    async sendBatch(messages) {
      ids.push(...messages.map((m) => m.body.notificationId));
    },
  };
}

/** The minute job's journey step, as the cron runs it, at `now`. */
export function runJourneys(queue: NotificationQueue, now = new Date()) {
  return withDb((db) => runJourneyJobs(db, queue, now));
}
