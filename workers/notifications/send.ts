import type { Notifier, NotifierMessage, SendResult } from "../../core/ports/notifier";
import type { NotifierChannel } from "../../core/vocabulary/notifications";
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
 * One notification's result message, composed from its row as it is now, paced per Slack
 * channel and sent once. What the answer means for the row and the queue message is the
 * notifications queue's business (workers/queues/notifications/handler.ts).
 */
export async function sendResultMessage(
  row: NotificationRow,
  { notifier, pacer }: Sender,
): Promise<SendResult> {
  const outgoing = resultMessage({
    kind: row.kind,
    trialTitle: row.trialTitle ?? "your trial",
    // The place the member holds now: it may have moved up since the decision.
    position: row.applicationStatus === "WAITLISTED" ? row.position : null,
    slackId: row.slackId,
    displayName: row.userName,
  });
  const key = pacingKey(notifier.channelFor(outgoing.slackId), outgoing);
  if (key) await pacer.wait(key);
  const result = await notifier.send(outgoing);
  if (key) pacer.markSent(key);
  return result;
}

/** One pacing clock per Slack channel: the member's DM, or the one shared webhook channel. */
function pacingKey(channel: NotifierChannel | null, message: NotifierMessage): string | null {
  if (channel === "dm") return `dm:${message.slackId}`;
  return channel;
}
