import { and, eq, sql } from "drizzle-orm";
import type { NotifierChannel } from "../../core/ports/notifier";
import type { Database } from "../../db/client";
import { applications, notifications, trials, users } from "../../db/schema";

/** Everything the sender needs about one notification, in one query. */
export async function loadNotification(db: Database, id: string) {
  const [row] = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      status: notifications.status,
      slackId: users.slackId,
      userName: users.name,
      trialTitle: trials.title,
      applicationStatus: applications.status,
      position: applications.position,
    })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .leftJoin(trials, eq(trials.id, notifications.trialId))
    .leftJoin(applications, eq(applications.id, notifications.applicationId))
    .where(eq(notifications.id, id));
  return row;
}

/**
 * Counts the attempt in its own committed statement BEFORE the send, so no later failure can
 * roll it back (the original project's bug: its counter was undone with the failure and the
 * retry limit never arrived). Null when the row is no longer PENDING: someone finished it.
 */
export async function claimAttempt(db: Database, id: string): Promise<number | null> {
  const [row] = await db
    .update(notifications)
    .set({ attempts: sql`${notifications.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(notifications.id, id), eq(notifications.status, "PENDING")))
    .returning({ attempts: notifications.attempts });
  return row?.attempts ?? null;
}

type Outcome =
  | { status: "SENT"; channel: NotifierChannel }
  | { status: "SKIPPED"; reason: string }
  | { status: "FAILED"; channel: NotifierChannel | null; error: string }
  | { status: "PENDING"; channel: NotifierChannel; error: string };

/** Records what the send did; only a PENDING row changes, so a finished one stays finished. */
export async function recordOutcome(db: Database, id: string, outcome: Outcome): Promise<void> {
  const common = { status: outcome.status, updatedAt: sql`now()` };
  const set =
    outcome.status === "SENT"
      ? { ...common, channel: outcome.channel, lastError: null, sentAt: sql`now()` }
      : outcome.status === "SKIPPED"
        ? { ...common, channel: null, lastError: outcome.reason }
        : { ...common, channel: outcome.channel, lastError: outcome.error };
  await db
    .update(notifications)
    .set(set)
    .where(and(eq(notifications.id, id), eq(notifications.status, "PENDING")));
}
