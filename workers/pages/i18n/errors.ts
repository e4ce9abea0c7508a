import type { ErrorCode } from "../../../core/vocabulary/error-codes";
import type { Localized } from "./locales";

/**
 * What a refused form says, by the API's error code. English pages show the API's own
 * message (it names the exact rule); other languages say it in theirs, one sentence per
 * code, typed to cover every code, so a new code cannot reach a Korean page in English.
 * Field details (which field, which rule) stay as the API wrote them, beside each field.
 */
type ErrorTexts = Partial<Record<ErrorCode, string>>;

const ko: Record<ErrorCode, string> = {
  VALIDATION_FAILED: "입력한 내용을 확인해 주세요.",
  MALFORMED_JSON: "요청을 읽을 수 없습니다. 다시 시도해 주세요.",
  UNAUTHORIZED: "로그인이 필요합니다.",
  INVALID_CREDENTIALS: "이메일 또는 비밀번호가 올바르지 않습니다.",
  TOKEN_EXPIRED: "로그인이 만료되었습니다. 다시 로그인해 주세요.",
  INVALID_REFRESH_TOKEN: "로그인이 만료되었습니다. 다시 로그인해 주세요.",
  INVALID_LIVE_TICKET: "실시간 연결이 만료되었습니다. 페이지를 새로 고쳐 주세요.",
  FORBIDDEN: "이 계정으로는 할 수 없는 일입니다.",
  NOT_THE_OWNER: "본인의 것만 바꿀 수 있습니다.",
  WRONG_PASSWORD: "현재 비밀번호가 올바르지 않습니다.",
  NOT_A_WINNER: "이 체험에 당첨된 회원만 할 수 있습니다.",
  MEMBER_RESTRICTED: "리뷰 기한을 두 번 넘겨 당분간 신청이 제한되었습니다.",
  NOT_FOUND: "찾을 수 없습니다.",
  USER_NOT_FOUND: "계정을 찾을 수 없습니다.",
  PRODUCT_NOT_FOUND: "제품을 찾을 수 없습니다.",
  TRIAL_NOT_FOUND: "체험을 찾을 수 없습니다.",
  APPLICATION_NOT_FOUND: "신청 내역이 없습니다.",
  RECEIPT_NOT_FOUND: "이 신청에는 영수증이 없습니다.",
  IMAGE_NOT_FOUND: "이미지를 찾을 수 없습니다.",
  REVIEW_NOT_FOUND: "리뷰를 찾을 수 없습니다.",
  STATS_NOT_READY: "통계가 아직 만들어지지 않았습니다.",
  STRIKE_NOT_FOUND: "경고 내역을 찾을 수 없습니다.",
  ADDRESS_NOT_FOUND: "배송지가 없습니다.",
  METHOD_NOT_ALLOWED: "허용되지 않는 요청입니다.",
  EMAIL_TAKEN: "이미 사용 중인 이메일입니다.",
  TRIAL_NOT_OPEN: "아직 신청을 받지 않는 체험입니다.",
  TRIAL_CLOSED: "신청이 마감된 체험입니다.",
  TRIAL_CANCELLED: "취소된 체험입니다.",
  TRIAL_ALREADY_OPEN: "이미 시작된 체험은 바꿀 수 없습니다.",
  PRODUCT_HAS_OPEN_TRIAL: "진행 중인 체험이 있는 제품입니다.",
  REVIEW_EXISTS: "이미 리뷰를 작성했습니다.",
  IDEMPOTENCY_KEY_IN_USE: "같은 요청을 처리하는 중입니다. 잠시 후 다시 시도해 주세요.",
  NO_SLACK_CODE: "먼저 Slack 인증 코드를 요청해 주세요.",
  SLACK_CODE_EXPIRED: "Slack 인증 코드가 만료되었습니다. 새로 요청해 주세요.",
  CONFIRMATION_CLOSED: "배송지 확인 기한이 지났습니다.",
  ALREADY_CONFIRMED: "이미 배송지를 확인했습니다.",
  NOT_CONFIRMED: "배송지를 먼저 확인해 주세요.",
  NOT_SHIPPED: "아직 발송되지 않았습니다.",
  EXTENSION_USED: "기한 연장은 한 번만 할 수 있습니다.",
  JOURNEY_COMPLETE: "이미 모든 단계를 마쳤습니다.",
  APPEAL_EXISTS: "이미 이의를 제기했습니다.",
  APPEAL_DECIDED: "이미 처리된 이의 제기입니다.",
  PAYLOAD_TOO_LARGE: "보낸 내용이 너무 큽니다.",
  UNSUPPORTED_MEDIA_TYPE: "지원하지 않는 형식입니다.",
  UPGRADE_REQUIRED: "실시간 연결이 필요합니다.",
  UNKNOWN_PRODUCT: "없는 제품입니다.",
  UNKNOWN_COMPANY: "없는 회사입니다.",
  UNKNOWN_IMAGE: "없는 이미지입니다.",
  IDEMPOTENCY_KEY_REUSED: "같은 요청 키가 다른 내용에 쓰였습니다.",
  WRONG_SLACK_CODE: "Slack 인증 코드가 올바르지 않습니다.",
  SLACK_UNREACHABLE: "Slack에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
  RATE_LIMITED: "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.",
  INTERNAL: "문제가 생겼습니다. 잠시 후 다시 시도해 주세요.",
  SERVICE_UNAVAILABLE: "지금은 처리할 수 없습니다. 잠시 후 다시 시도해 주세요.",
  LIVE_ROOM_FULL: "실시간 방이 가득 찼습니다. 잠시 후 다시 시도해 주세요.",
};

export const errors: Localized<ErrorTexts> = { en: {}, ko };
