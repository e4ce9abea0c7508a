import { sql } from "drizzle-orm";
import type { Metrics } from "../core/ports/metrics.ts";
import type { Connection } from "../db/client.ts";
import type { IncomingMessage } from "../workers/queues/incoming-message.ts";
import { countSlackSends } from "../workers/queues/metrics.ts";
import { type SendDeps, sendNotifications } from "../workers/queues/notifications/handler.ts";
import type {
  NotificationMessage,
  NotificationQueue,
} from "../workers/queues/notifications/message.ts";
import type { Background } from "./background.ts";
import { KeyedSerializer } from "./serializer.ts";

/**
 * Slack result messages without a queue. The notification rows in Postgres are the durable
 * record (written PENDING before any send), so the in-process "queue" only has to do its
 * best: it sends at once, and retries a 429 or a 5xx in this isolate after the wait Slack
 * asked for when that is short. Whatever it could not finish (a long wait, the isolate gone)
 * stays PENDING and the per-minute sweep sends it again, with the attempt count the row keeps.
 */
export function inProcessNotificationQueue(
  deps: SendDeps,
  background: Background,
  metrics: Metrics,
): NotificationQueue {
  // One sender per isolate, like max_concurrency = 1 on Cloudflare: the pacer stays exact.
  const sender = new KeyedSerializer();
  const send = (batch: IncomingMessage[]) =>
    background.run(
      sender.run("slack", async () =>
        countSlackSends(metrics, await sendNotifications(batch, deps)),
      ),
      "notifications.send",
    );
  const delivery = (notificationId: string, attempts: number): IncomingMessage => ({
    id: notificationId,
    body: { notificationId },
    attempts,
    ack: () => {},
    retry: (options) => {
      const seconds = options?.delaySeconds ?? 0;
      // A wait as long as the sweep's is left to the sweep: two senders must not race a row.
      if (seconds >= SWEEP_AFTER_SECONDS) return;
      background.run(
        sleep(seconds * 1000).then(() => send([delivery(notificationId, attempts + 1)])),
        "notifications.retry",
      );
    },
  });
  return {
    async sendBatch(messages: { body: NotificationMessage }[]) {
      send(messages.map((m) => delivery(m.body.notificationId, 1)));
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rows untouched for this long are no longer in anybody's hands. */
const SWEEP_AFTER_SECONDS = 60;
const SWEEP_LIMIT = 200;

/**
 * The retry path: every PENDING notification idle for a minute is sent again. A row a live
 * sender is working on has a fresh updated_at (claimAttempts touches it) and is left alone;
 * a second send of a row that is no longer PENDING is acked without sending.
 */
export async function sweepPendingNotifications(conn: Connection, deps: SendDeps) {
  const rows = await conn.db.execute<{ id: string; attempts: number }>(sql`
    SELECT id, attempts FROM notifications
     WHERE status = 'PENDING' AND updated_at < now() - make_interval(secs => ${SWEEP_AFTER_SECONDS})
     ORDER BY created_at
     LIMIT ${SWEEP_LIMIT}`);
  if (rows.rows.length === 0) return null;
  return sendNotifications(
    rows.rows.map((r) => oneShot(r.id, Number(r.attempts) + 1)),
    deps,
  );
}

/** A delivery with nothing to acknowledge: the row's status is the acknowledgement. */
function oneShot(notificationId: string, attempts: number): IncomingMessage {
  return {
    id: notificationId,
    body: { notificationId },
    attempts,
    ack: () => {},
    retry: () => {},
  };
}
