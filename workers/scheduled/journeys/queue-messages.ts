import { sql } from "drizzle-orm";
import { JOURNEY_MESSAGES } from "../../../core/vocabulary/journey";
import type { Database } from "../../../db/client";
import type { NotificationQueue } from "../../queues/notifications/message";

/** Cloudflare's sendBatch takes at most 100 messages. */
const QUEUE_BATCH_LIMIT = 100;
const PER_RUN = 1000;
/** A row queued this long ago and still never tried lost its queue message: queue it again. */
const REQUEUE_AFTER_SECONDS = 300;

/**
 * Hands the notifications queue the journey's messages that were recorded but never tried:
 * the SHIPPED rows the shipment routes write in their transaction (a request has no queue of
 * its own), and the reminders and strikes this job records. Queueing marks the row
 * (updated_at), so the next minute does not queue it again while the queue holds it; one
 * still untried five minutes later is queued again (a lost enqueue heals). A second message
 * for a row is harmless: the sender acks any row that is no longer PENDING, and one whose
 * earlier send is unaccounted for is looked up before it is sent again (0035).
 */
export async function queueJourneyMessages(
  db: Database,
  queue: NotificationQueue,
): Promise<number> {
  const kinds = sql.join(
    JOURNEY_MESSAGES.map((k) => sql`${k}`),
    sql`, `,
  );
  const due = await db.execute<{ id: string }>(sql`
    UPDATE notifications SET updated_at = clock_timestamp()
     WHERE id IN (
       SELECT id FROM notifications
        WHERE kind IN (${kinds}) AND status = 'PENDING' AND attempts = 0
          AND (updated_at = created_at
               OR updated_at < now() - make_interval(secs => ${REQUEUE_AFTER_SECONDS}))
        ORDER BY created_at
        LIMIT ${PER_RUN})
     RETURNING id`);
  const messages = due.rows.map((r) => ({ body: { notificationId: r.id } }));
  for (let i = 0; i < messages.length; i += QUEUE_BATCH_LIMIT) {
    await queue.sendBatch(messages.slice(i, i + QUEUE_BATCH_LIMIT));
  }
  return messages.length;
}
