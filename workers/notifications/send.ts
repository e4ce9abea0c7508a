import * as v from "valibot";
import type {
  Notifier,
  NotifierChannel,
  NotifierMessage,
  SendResult,
} from "../../core/ports/notifier";
import { type Connection, isDatabaseUnavailable } from "../../db/client";
import type { IncomingMessage } from "../consumers/persist-decisions";
import { describeError, log } from "../lib/log";
import { resultMessage } from "./messages";
import type { Pacer } from "./pacing";
import { claimAttempt, loadNotification, recordOutcome } from "./store";

export interface SendDeps {
  connect(): Promise<Connection>;
  notifier: Notifier;
  pacer: Pacer;
}

/** wrangler.toml's max_retries (10) + the first delivery: the last try marks the row FAILED. */
export const MAX_DELIVERIES = 11;
const MAX_BACKOFF_SECONDS = 600;

/** 2, 4, 8 … seconds after a 5xx or a network error, capped at ten minutes. */
export function sendBackoffSeconds(attempts: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.max(1, attempts));
}

const Body = v.object({ notificationId: v.pipe(v.string(), v.uuid()) });

/** Per batch, for the log line; "acked" counts messages acked without a send (already done). */
type Tally = Record<"sent" | "skipped" | "failed" | "retried" | "acked", number>;

/**
 * The notifications queue's consumer. Messages go one after another (never in parallel) and
 * are paced per Slack channel. Each message is acked or retried on its own: a row that is
 * no longer PENDING is acked without a send, so a redelivered message never sends twice.
 * Between a successful send and the SENT mark there is an at-least-once window: if the mark
 * cannot be written, the retry sends again (docs/decisions/0010).
 */
export async function sendNotifications(
  messages: readonly IncomingMessage[],
  deps: SendDeps,
): Promise<Tally> {
  const tally: Tally = { sent: 0, skipped: 0, failed: 0, retried: 0, acked: 0 };
  let conn: Connection;
  try {
    conn = await deps.connect();
  } catch (err) {
    log.warn("notifications.db_unavailable", {
      messages: messages.length,
      error: describeError(err),
    });
    for (const m of messages) m.retry({ delaySeconds: sendBackoffSeconds(m.attempts) });
    tally.retried += messages.length;
    return tally;
  }
  try {
    const seen = new Set<string>();
    for (const message of messages) {
      const parsed = v.safeParse(Body, message.body);
      // A shape this code never sends cannot become valid by retrying it.
      if (!parsed.success || seen.has(parsed.output.notificationId)) {
        if (!parsed.success) log.error("notifications.invalid_message", { messageId: message.id });
        message.ack();
        tally.acked++;
        continue;
      }
      seen.add(parsed.output.notificationId);
      try {
        tally[await sendOne(conn, deps, message, parsed.output.notificationId)]++;
      } catch (err) {
        log.warn(
          isDatabaseUnavailable(err) ? "notifications.db_unavailable" : "notifications.failed",
          { messageId: message.id, error: describeError(err) },
        );
        message.retry({ delaySeconds: sendBackoffSeconds(message.attempts) });
        tally.retried++;
      }
    }
    return tally;
  } finally {
    await conn.close();
  }
}

async function sendOne(
  conn: Connection,
  deps: SendDeps,
  message: IncomingMessage,
  id: string,
): Promise<keyof Tally> {
  const row = await loadNotification(conn.db, id);
  if (row?.status !== "PENDING") {
    message.ack();
    return "acked";
  }
  const outgoing = resultMessage({
    kind: row.kind,
    trialTitle: row.trialTitle ?? "your trial",
    // The place the member holds now: it may have moved up since the decision.
    position: row.applicationStatus === "WAITLISTED" ? row.position : null,
    slackId: row.slackId,
    displayName: row.userName,
  });
  const attempts = await claimAttempt(conn.db, id);
  if (attempts === null) {
    message.ack();
    return "acked";
  }
  const key = pacingKey(deps.notifier.channelFor(outgoing.slackId), outgoing);
  if (key) await deps.pacer.wait(key);
  const result = await deps.notifier.send(outgoing);
  if (key) deps.pacer.markSent(key);
  return settle(conn, message, id, attempts, result);
}

/** One pacing clock per Slack channel: the member's DM, or the one shared webhook channel. */
function pacingKey(channel: NotifierChannel | null, message: NotifierMessage): string | null {
  if (channel === "dm") return `dm:${message.slackId}`;
  return channel;
}

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
      await recordOutcome(db, id, { status: "SENT", channel: result.channel });
      message.ack();
      return "sent";
    case "skipped":
      await recordOutcome(db, id, { status: "SKIPPED", reason: result.reason });
      message.ack();
      return "skipped";
    case "permanent":
      log.warn("notifications.permanent_failure", { id, attempts, error: result.error });
      await recordOutcome(db, id, {
        status: "FAILED",
        channel: result.channel,
        error: result.error,
      });
      message.ack();
      return "failed";
    case "retry-after":
    case "transient": {
      if (message.attempts >= MAX_DELIVERIES) {
        // The queue would dead-letter it next; the row must not stay PENDING forever.
        const error = `gave up after ${attempts} attempts: ${result.error}`;
        await recordOutcome(db, id, { status: "FAILED", channel: result.channel, error });
        message.ack();
        return "failed";
      }
      await recordOutcome(db, id, {
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
