/** A trial's status, as its gate tells it by its own clock (API.md, "Trial"). */
export const TRIAL_STATUSES = ["SCHEDULED", "OPEN", "CLOSED", "CANCELLED"] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

/** Why a CLOSED trial closed: its end came, or every place was taken. */
export const CLOSED_REASONS = ["ENDED", "FULL"] as const;
export type ClosedReason = (typeof CLOSED_REASONS)[number];
