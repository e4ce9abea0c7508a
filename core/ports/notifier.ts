import type { NotifierChannel } from "../vocabulary/notifications";

/** A result message for one member, already rendered (see workers/notifications/messages.ts). */
export interface NotifierMessage {
  /** The member's Slack member id (U…), or null when they never set one. */
  slackId: string | null;
  /** Shown instead of a mention when there is no Slack id (webhook mode). */
  displayName: string;
  /** Plain-text fallback: notifications and screen readers use it. */
  text: string;
  /** Block Kit blocks, passed through as Slack expects them. */
  blocks: unknown[];
  /**
   * The notification row this message is, carried with it where the channel keeps it (Slack
   * message metadata), so a send whose answer was lost can be found again (`findSent`).
   */
  notificationId?: string;
}

/** What a look-up for an earlier send of one notification found. */
export type LookupResult =
  | { kind: "found" }
  | { kind: "absent" }
  /** The look-up failed and may work later (a 429, a 5xx, the network): do not send yet. */
  | { kind: "transient"; error: string }
  /** Nothing can be looked up here (a webhook keeps no history we can read, a missing scope). */
  | { kind: "unavailable"; reason: string };

/**
 * What became of one send. The consumer maps each case to one action: mark SENT, wait as
 * long as the provider asked, back off, give up for good, or record that nothing could be
 * sent at all.
 */
export type SendResult =
  | { kind: "sent"; channel: NotifierChannel }
  /** Rate limited: try again after this many seconds (Slack's Retry-After). */
  | { kind: "retry-after"; channel: NotifierChannel; seconds: number; error: string }
  /** A 5xx or a network failure: worth retrying with a growing backoff. */
  | { kind: "transient"; channel: NotifierChannel; error: string }
  /** Will never succeed as configured (bad token, unknown channel …): no retry. */
  | { kind: "permanent"; channel: NotifierChannel; error: string }
  /** No way to reach this member (no Slack id, no webhook): nothing was sent. */
  | { kind: "skipped"; reason: string };

export interface Notifier {
  /** Which way a message to this member would go; null when it cannot go anywhere. */
  channelFor(slackId: string | null): NotifierChannel | null;
  send(message: NotifierMessage): Promise<SendResult>;
  /**
   * Whether a message carrying this `notificationId` already reached the member's channel at
   * or after `since`: asked before sending again when an earlier attempt's outcome is unknown.
   */
  findSent(message: NotifierMessage, since: Date): Promise<LookupResult>;
}
