import { describeError, log } from "../../../core/log";
import type { SendResult } from "../../../core/ports/notifier";
import { type Connection, isDatabaseUnavailable } from "../../../db/client";
import { type NotificationRow, type Sender, sendResultMessage } from "../../notifications/send";
import { claimAttempts, loadNotifications, recordDelivery } from "../../notifications/store";
import type { IncomingMessage } from "../incoming-message";
import { gaveUpError, isLastDelivery } from "./dead-letters";
import { parseNotificationMessage } from "./message";

export interface SendDeps extends Sender {
  connect(): Promise<Connection>;
}

const MAX_BACKOFF_SECONDS = 600;

/** 2, 4, 8 … seconds after a 5xx or a network error, capped at ten minutes. */
function sendBackoffSeconds(attempts: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.max(1, attempts));
}

/** Per batch, for the log line; "acked" counts messages acked without a send (already done). */
type Tally = Record<"sent" | "skipped" | "failed" | "retried" | "acked", number>;

/**
 * The notifications queue's consumer. The batch's rows are read in one query and their
 * attempts claimed in one statement; then the sends go one after another (never in
 * parallel: Slack limits a workspace as well as each channel), paced per Slack channel, and
 * each outcome is written right after its send. Each message is acked or retried on its own:
 * a row that is no longer PENDING is acked without a send, so a redelivered message never
 * sends twice. Between a successful send and the SENT mark there is an at-least-once window
 * of one message: if the mark cannot be written, the retry sends again (docs/decisions/0010).
 */
export async function sendNotifications(
  messages: readonly IncomingMessage[],
  deps: SendDeps,
): Promise<Tally> {
  const tally: Tally = { sent: 0, skipped: 0, failed: 0, retried: 0, acked: 0 };
  const retry = (message: IncomingMessage) => {
    message.retry({ delaySeconds: sendBackoffSeconds(message.attempts) });
    tally.retried++;
  };
  const ack = (message: IncomingMessage) => {
    message.ack();
    tally.acked++;
  };

  // A shape this code never sends cannot become valid by retrying it; a repeat of an id
  // already in this batch is the same work.
  const work: { message: IncomingMessage; id: string }[] = [];
  const seen = new Set<string>();
  for (const message of messages) {
    const parsed = parseNotificationMessage(message.body);
    if (!parsed) log.error("notifications.invalid_message", { messageId: message.id });
    if (!parsed || seen.has(parsed.notificationId)) {
      ack(message);
      continue;
    }
    seen.add(parsed.notificationId);
    work.push({ message, id: parsed.notificationId });
  }
  if (work.length === 0) return tally;

  let conn: Connection;
  try {
    conn = await deps.connect();
  } catch (err) {
    log.warn("notifications.db_unavailable", { messages: work.length, error: describeError(err) });
    for (const w of work) retry(w.message);
    return tally;
  }
  try {
    let claimed: { message: IncomingMessage; row: NotificationRow; attempts: number }[];
    try {
      const rows = new Map(
        (
          await loadNotifications(
            conn.db,
            work.map((w) => w.id),
          )
        ).map((r) => [r.id, r]),
      );
      const pending = work.filter((w) => rows.get(w.id)?.status === "PENDING");
      const attempts = await claimAttempts(
        conn.db,
        pending.map((w) => w.id),
      );
      claimed = [];
      for (const w of work) {
        const row = rows.get(w.id);
        const count = attempts.get(w.id);
        if (row && count !== undefined) claimed.push({ message: w.message, row, attempts: count });
        else ack(w.message); // gone, or finished by someone else: nothing to send
      }
    } catch (err) {
      log.warn(
        isDatabaseUnavailable(err) ? "notifications.db_unavailable" : "notifications.failed",
        { messages: work.length, error: describeError(err) },
      );
      for (const w of work) retry(w.message);
      return tally;
    }
    for (const { message, row, attempts } of claimed) {
      try {
        const result = await sendResultMessage(row, deps);
        tally[await settle(conn, message, row.id, attempts, result)]++;
      } catch (err) {
        log.warn(
          isDatabaseUnavailable(err) ? "notifications.db_unavailable" : "notifications.failed",
          { messageId: message.id, error: describeError(err) },
        );
        retry(message);
      }
    }
    return tally;
  } finally {
    await conn.close();
  }
}

/** What a send's answer means for the row and for the queue message. */
async function settle(
  conn: Connection,
  message: IncomingMessage,
  id: string,
  attempts: number,
  result: SendResult,
): Promise<keyof Tally> {
  const db = conn.db;
  switch (result.kind) {
    case "sent":
      await recordDelivery(db, id, { status: "SENT", channel: result.channel });
      message.ack();
      return "sent";
    case "skipped":
      await recordDelivery(db, id, { status: "SKIPPED", reason: result.reason });
      message.ack();
      return "skipped";
    case "permanent":
      log.warn("notifications.permanent_failure", { id, attempts, error: result.error });
      await recordDelivery(db, id, {
        status: "FAILED",
        channel: result.channel,
        error: result.error,
      });
      message.ack();
      return "failed";
    case "retry-after":
    case "transient": {
      if (isLastDelivery(message)) {
        // The queue would dead-letter it next; the row must not stay PENDING forever.
        const error = gaveUpError(attempts, result.error);
        await recordDelivery(db, id, { status: "FAILED", channel: result.channel, error });
        message.ack();
        return "failed";
      }
      await recordDelivery(db, id, {
        status: "PENDING",
        channel: result.channel,
        error: result.error,
      });
      const delaySeconds =
        result.kind === "retry-after" ? result.seconds : sendBackoffSeconds(attempts);
      log.info("notifications.retry", { id, attempts, delaySeconds, error: result.error });
      message.retry({ delaySeconds });
      return "retried";
    }
  }
}
