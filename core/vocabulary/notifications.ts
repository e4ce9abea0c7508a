import { OUTCOMES } from "./applications";
import { JOURNEY_MESSAGES } from "./journey";

/** What became of a result message (a notification row). */
export const NOTIFICATION_STATUSES = ["PENDING", "SENT", "FAILED", "SKIPPED"] as const;

/** How a result message goes out: a Slack DM, or the shared webhook channel. */
export const NOTIFIER_CHANNELS = ["dm", "webhook"] as const;
export type NotifierChannel = (typeof NOTIFIER_CHANNELS)[number];

/**
 * What a notification row is about: a result message (an outcome) or a message of the
 * winner's journey. One row per (application, kind).
 */
export const NOTIFICATION_KINDS = [...OUTCOMES, ...JOURNEY_MESSAGES] as const;
