/**
 * The one error vocabulary of the API. Every error response is built from a code here,
 * and each code has exactly one HTTP status.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  TOKEN_EXPIRED: 401,
  INVALID_REFRESH_TOKEN: 401,
  FORBIDDEN: 403,
  NOT_THE_OWNER: 403,
  WRONG_PASSWORD: 403,
  NOT_A_WINNER: 403,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  TRIAL_NOT_FOUND: 404,
  APPLICATION_NOT_FOUND: 404,
  IMAGE_NOT_FOUND: 404,
  REVIEW_NOT_FOUND: 404,
  STATS_NOT_READY: 404,
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
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNKNOWN_PRODUCT: 422,
  UNKNOWN_COMPANY: 422,
  UNKNOWN_IMAGE: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  WRONG_SLACK_CODE: 422,
  SLACK_UNREACHABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: (typeof ERROR_STATUS)[ErrorCode];

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Seconds, for 429 and 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "AppError";
    this.status = ERROR_STATUS[code];
  }
}

export function errorBody(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
  return { error: { code, message, details } };
}
