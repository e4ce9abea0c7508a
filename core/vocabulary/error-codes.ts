/**
 * The one error vocabulary of the API. Every error response is built from a code here,
 * and each code has exactly one HTTP status. In core because the gates refuse with these
 * codes too (RefusalCode), on every runtime.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  TOKEN_EXPIRED: 401,
  INVALID_REFRESH_TOKEN: 401,
  INVALID_LIVE_TICKET: 401,
  FORBIDDEN: 403,
  NOT_THE_OWNER: 403,
  WRONG_PASSWORD: 403,
  NOT_A_WINNER: 403,
  // Two missed review deadlines in 180 days: `details` give restrictedUntil.
  MEMBER_RESTRICTED: 403,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  TRIAL_NOT_FOUND: 404,
  APPLICATION_NOT_FOUND: 404,
  // An application decided before its trial kept a fill log: no entry, so nothing to sign.
  RECEIPT_NOT_FOUND: 404,
  IMAGE_NOT_FOUND: 404,
  REVIEW_NOT_FOUND: 404,
  STATS_NOT_READY: 404,
  STRIKE_NOT_FOUND: 404,
  // The member's own address for a trial: never confirmed, or already erased.
  ADDRESS_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  EMAIL_TAKEN: 409,
  TRIAL_NOT_OPEN: 409,
  TRIAL_CLOSED: 409,
  TRIAL_CANCELLED: 409,
  TRIAL_ALREADY_OPEN: 409,
  PRODUCT_HAS_OPEN_TRIAL: 409,
  REVIEW_EXISTS: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  NO_SLACK_CODE: 409,
  SLACK_CODE_EXPIRED: 409,
  // After the win (API.md): the confirmation window, shipments, the review deadline, appeals.
  CONFIRMATION_CLOSED: 409,
  ALREADY_CONFIRMED: 409,
  NOT_CONFIRMED: 409,
  NOT_SHIPPED: 409,
  EXTENSION_USED: 409,
  JOURNEY_COMPLETE: 409,
  APPEAL_EXISTS: 409,
  APPEAL_DECIDED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UPGRADE_REQUIRED: 426,
  UNKNOWN_PRODUCT: 422,
  UNKNOWN_COMPANY: 422,
  UNKNOWN_IMAGE: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  WRONG_SLACK_CODE: 422,
  SLACK_UNREACHABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  LIVE_ROOM_FULL: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Every code, in the order above (the OpenAPI document lists them so). */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];
