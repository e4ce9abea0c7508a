import { type SQL, sql } from "drizzle-orm";
import type { DecisionEvent, GateEvent } from "../../core/first-come/types";
import type { Database } from "../../db/client";
import type { NotificationQueue } from "../queues/notifications/message";

/** Cloudflare's sendBatch takes at most 100 messages. */
const QUEUE_BATCH_LIMIT = 100;

/** Either a database or a transaction: reconciliation records inside its repair's transaction. */
type Executor = Pick<Database, "execute">;

/**
 * After a batch of gate events is persisted: record one notification per (application,
 * outcome) and queue every one of them that is still PENDING. Queueing the PENDING rows,
 * not only the rows this call inserted, is what makes a lost enqueue heal: the redelivered
 * event finds the row already there and queues it again. A second queue message for a row
 * is harmless: the sender acks any row that is no longer PENDING.
 */
export async function enqueueNotifications(
  conn: { db: Database },
  queue: NotificationQueue,
  events: readonly GateEvent[],
): Promise<number> {
  await recordNotifications(conn.db, events);
  return queuePendingNotifications(conn.db, queue, events);
}

/**
 * One notification row per (application, outcome), PENDING; an outcome already recorded (by
 * the consumer or by reconciliation, whichever came first) is left as it is.
 */
export async function recordNotifications(
  db: Executor,
  events: readonly GateEvent[],
): Promise<void> {
  const values = outcomeValues(events);
  if (!values) return;
  // The join with users skips a member whose row is gone (a hard delete): the foreign key
  // would otherwise fail the whole batch, and there is nobody left to tell.
  await db.execute(sql`
    INSERT INTO notifications (user_id, application_id, trial_id, kind)
    SELECT v.user_id, v.application_id, v.trial_id, v.kind
      FROM (VALUES ${values}) AS v(user_id, application_id, trial_id, kind)
      JOIN users u ON u.id = v.user_id
    ON CONFLICT (application_id, kind) DO NOTHING`);
}

/** Hands the sender every notification of these outcomes that is still PENDING. */
export async function queuePendingNotifications(
  db: Executor,
  queue: NotificationQueue,
  events: readonly GateEvent[],
): Promise<number> {
  const values = outcomeValues(events);
  if (!values) return 0;
  const pending = await db.execute<{ id: string }>(sql`
    SELECT n.id FROM notifications n
      JOIN (VALUES ${values}) AS v(user_id, application_id, trial_id, kind)
        ON n.application_id = v.application_id AND n.kind = v.kind
     WHERE n.status = 'PENDING'`);
  const messages = pending.rows.map((r) => ({ body: { notificationId: r.id } }));
  for (let i = 0; i < messages.length; i += QUEUE_BATCH_LIMIT) {
    await queue.sendBatch(messages.slice(i, i + QUEUE_BATCH_LIMIT));
  }
  return messages.length;
}

/** The outcomes as a VALUES list (user, application, trial, kind), or null when there are none. */
function outcomeValues(events: readonly GateEvent[]): SQL | null {
  const decisions = uniqueOutcomes(events);
  if (decisions.length === 0) return null;
  return sql.join(
    decisions.map(
      (e) =>
        sql`(${e.application.userId}::uuid, ${e.application.id}::uuid, ${e.application.trialId}::uuid, ${e.outcome}::text)`,
    ),
    sql`, `,
  );
}

/** A batch may carry the same event twice: one row each, or the VALUES join repeats it. */
function uniqueOutcomes(events: readonly GateEvent[]): DecisionEvent[] {
  const seen = new Map<string, DecisionEvent>();
  for (const e of events) {
    if (e.type !== "application") continue;
    seen.set(`${e.application.id}:${e.outcome}`, e);
  }
  return [...seen.values()];
}
