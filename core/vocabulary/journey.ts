import type { ErrorCode } from "./error-codes";

/**
 * The winner's journey after the win (API.md "After the win"): confirm, ship, review.
 * The closed lists and the numbers of its rules, in one place for every runtime.
 */

/** What a strike's appeal stands at: none filed (null), waiting for an ADMIN, or decided. */
export const APPEAL_STATUSES = ["PENDING", "GRANTED", "DENIED"] as const;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];

/** What an ADMIN may decide of a PENDING appeal: GRANTED lifts the strike. */
export const APPEAL_DECISIONS = ["GRANTED", "DENIED"] as const satisfies readonly AppealStatus[];
export type AppealDecision = (typeof APPEAL_DECISIONS)[number];

/** What the access log records a company (or ADMIN) reading. */
export const PERSONAL_DATA_READS = ["SHIPPING_ADDRESS"] as const;
export type PersonalDataRead = (typeof PERSONAL_DATA_READS)[number];

/** Slack messages of the journey, one per (application, kind) like the result messages. */
export const JOURNEY_MESSAGES = [
  "SHIPPED",
  "REVIEW_DUE_IN_3_DAYS",
  "REVIEW_DUE_IN_1_DAY",
  "STRIKE_RECORDED",
] as const;
export type JourneyMessage = (typeof JOURNEY_MESSAGES)[number];

/** Why a bulk shipment upload refuses a row (its answer's `refused[].code`). */
export const SHIPMENT_ROW_REFUSALS = [
  "VALIDATION_FAILED",
  "APPLICATION_NOT_FOUND",
  "NOT_CONFIRMED",
] as const satisfies readonly ErrorCode[];
export type ShipmentRowRefusal = (typeof SHIPMENT_ROW_REFUSALS)[number];

export const JOURNEY_RULES = {
  /** Trial terms: the confirmation window's bounds (minutes) and the review window (days). */
  confirmWithinMinutes: { min: 1, max: 10_080 },
  reviewWithinDays: { min: 1, max: 60, default: 14 },
  /** Days the one self-service extension adds to the review deadline. */
  extensionDays: 7,
  /** Reminders before the review deadline, in days. */
  reminderDays: [3, 1],
  /** Strikes within this many days restrict applying… */
  strikeWindowDays: 180,
  strikesToRestrict: 2,
  /** …for this many days from the strike that completes the count. */
  restrictionDays: 30,
  /** Shipping addresses are erased this many days after their trial ends. */
  addressRetentionDays: 90,
  /** Confirmation fields' lengths (API.md). */
  recipient: { min: 1, max: 50 },
  phone: { min: 7, max: 20 },
  address: { min: 1, max: 300 },
  carrier: { min: 1, max: 50 },
  trackingNumber: { min: 1, max: 64 },
  /** Rows one bulk shipment upload may carry. */
  maxBulkRows: 1000,
} as const;
