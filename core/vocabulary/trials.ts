/** A trial's status, as its gate tells it by its own clock (API.md, "Trial"). */
export const TRIAL_STATUSES = ["SCHEDULED", "OPEN", "CLOSED", "CANCELLED"] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

/** Why a CLOSED trial closed: its end came, or every place was taken. */
export const CLOSED_REASONS = ["ENDED", "FULL"] as const;
export type ClosedReason = (typeof CLOSED_REASONS)[number];

/**
 * How a trial ranks its applicants (API.md "Receipts and the public fill log"): strictly
 * first-come, by a draw over the first `shuffleSeconds` after opening, or by one draw at
 * closesAt.
 */
export const ORDERINGS = ["strict", "shuffle-at-open", "draw"] as const;
export type Ordering = (typeof ORDERINGS)[number];

/** The bounds of `shuffleSeconds` (shuffle-at-open only). */
export const SHUFFLE_SECONDS = { min: 1, max: 600 } as const;
