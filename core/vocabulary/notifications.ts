/** What became of a result message (a notification row). */
export const NOTIFICATION_STATUSES = ["PENDING", "SENT", "FAILED", "SKIPPED"] as const;

/** How a result message goes out: a Slack DM, or the shared webhook channel. */
export const NOTIFIER_CHANNELS = ["dm", "webhook"] as const;
export type NotifierChannel = (typeof NOTIFIER_CHANNELS)[number];
