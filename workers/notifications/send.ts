import type { Notifier, NotifierMessage, SendResult } from "../../core/ports/notifier";
import { OUTCOMES, type Outcome } from "../../core/vocabulary/applications";
import type { NotifierChannel } from "../../core/vocabulary/notifications";
import { journeyMessage } from "./journey-messages";
import { resultMessage } from "./messages";
import type { Pacer } from "./pacing";
import type { loadNotifications } from "./store";

/** Everything a send needs besides the row: Slack behind its port, and the clock pacing it. */
export interface Sender {
  notifier: Notifier;
  pacer: Pacer;
}

export type NotificationRow = Awaited<ReturnType<typeof loadNotifications>>[number];

/**
 * An earlier attempt may have reached Slack without its outcome being recorded: the claim
 * clears the last error (./store.ts), so an attempt that ended with no record leaves none, and
 * a network failure (a timeout after Slack accepted, say) proves nothing either.
 */
const UNKNOWN_OUTCOME = /^(network|lookup):/;

function mayHaveBeenSent(row: Pick<NotificationRow, "attempts" | "lastError">): boolean {
  return row.attempts > 0 && (row.lastError === null || UNKNOWN_OUTCOME.test(row.lastError));
}

/**
 * One notification's message, composed from its row as it is now, paced per Slack channel
 * and sent once. Before sending a row whose earlier attempt may have reached Slack, it asks
 * Slack whether it did (by the message's metadata) and answers "sent" if so: what closes
 * the window between a send and its record for DMs (docs/decisions/0035). What the answer
 * means for the row and the queue message is the notifications queue's business
 * (workers/queues/notifications/handler.ts).
 */
export async function sendResultMessage(
  row: NotificationRow,
  { notifier, pacer }: Sender,
): Promise<SendResult> {
  const outgoing = { ...compose(row), notificationId: row.id };
  const channel = notifier.channelFor(outgoing.slackId);
  if (channel === "dm" && mayHaveBeenSent(row)) {
    const found = await notifier.findSent(outgoing, row.createdAt);
    if (found.kind === "found") return { kind: "sent", channel };
    if (found.kind === "transient") {
      return { kind: "transient", channel, error: `lookup: ${found.error}` };
    }
    // "absent": it never arrived; "unavailable": cannot tell, so at least once (0035).
  }
  const key = pacingKey(channel, outgoing);
  if (key) await pacer.wait(key);
  const result = await notifier.send(outgoing);
  if (key) pacer.markSent(key);
  return result;
}

/** The row's message: a result (an outcome) or a step of the winner's journey. */
function compose(row: NotificationRow): NotifierMessage {
  const common = {
    trialTitle: row.trialTitle ?? "your trial",
    slackId: row.slackId,
    displayName: row.userName,
  };
  if (isOutcome(row.kind)) {
    return resultMessage({
      ...common,
      kind: row.kind,
      // The place the member holds now: it may have moved up since the decision.
      position: row.applicationStatus === "WAITLISTED" ? row.position : null,
      // Still waiting for the confirmation: a place confirmed or lost has no deadline left.
      confirmBy: row.applicationStatus === "WON" && !row.confirmedAt ? row.confirmBy : null,
      cancelledReason: row.cancelledReason,
    });
  }
  return journeyMessage({
    ...common,
    kind: row.kind,
    journey:
      row.carrier !== null && row.trackingNumber !== null && row.reviewDueAt !== null
        ? { carrier: row.carrier, trackingNumber: row.trackingNumber, reviewDueAt: row.reviewDueAt }
        : null,
  });
}

function isOutcome(kind: string): kind is Outcome {
  return (OUTCOMES as readonly string[]).includes(kind);
}

/** One pacing clock per Slack channel: the member's DM, or the one shared webhook channel. */
function pacingKey(channel: NotifierChannel | null, message: NotifierMessage): string | null {
  if (channel === "dm") return `dm:${message.slackId}`;
  return channel;
}
