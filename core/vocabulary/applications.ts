/**
 * Where an application stands in its trial's ledger. PENDING waits for its rank in a draw
 * (ordering shuffle-at-open or draw); NOT_SELECTED is what a draw left out.
 */
export const APPLICATION_STATUSES = [
  "WON",
  "WAITLISTED",
  "CANCELLED",
  "PENDING",
  "NOT_SELECTED",
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/**
 * What a member is told about their application: one result message per (application,
 * outcome), so it is also the kind of a notification row.
 */
export const OUTCOMES = [
  "WON",
  "WAITLISTED",
  "PROMOTED",
  "CANCELLED",
  "TRIAL_CANCELLED",
  "PENDING",
  "NOT_SELECTED",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Why an application became CANCELLED (API.md "After the win"): its member gave it up, its
 * trial was cancelled, the platform released it (compensation), or its winner did not
 * confirm by `confirmBy`.
 */
export const CANCELLED_REASONS = [
  "WITHDRAWN",
  "TRIAL_CANCELLED",
  "RELEASED",
  "NOT_CONFIRMED",
] as const;
export type CancelledReason = (typeof CANCELLED_REASONS)[number];
