import type { SendResult } from "../../../core/ports/notifier";
import type { NotifierChannel } from "../../../core/vocabulary/notifications";

/**
 * Slack answers HTTP 200 with {"ok":false,"error":"…"} for most failures; these codes will
 * never succeed on a retry, so retrying them would only be a storm.
 * https://api.slack.com/methods/chat.postMessage#errors
 */
const PERMANENT_ERRORS = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
  "missing_scope",
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "user_not_found",
  "user_disabled",
  "cannot_dm_bot",
  "msg_too_long",
  "no_text",
  "too_many_attachments",
  "invalid_arguments",
  "invalid_blocks",
  "invalid_blocks_format",
  "restricted_action",
  "ekm_access_denied",
  // Incoming webhooks answer with plain-text errors and a 4xx instead.
  "invalid_token",
  "no_service",
  "no_service_id",
  "no_team",
  "team_disabled",
  "action_prohibited",
  "posting_to_general_channel_denied",
  "channel_is_archived",
]);

/** Without a usable Retry-After, wait this long; Slack's own tier windows are a minute. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;
const MAX_RETRY_AFTER_SECONDS = 900;

function retryAfterSeconds(header: string | null): number {
  const seconds = Number(header);
  if (!header || !Number.isFinite(seconds) || seconds < 0) return DEFAULT_RETRY_AFTER_SECONDS;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(seconds)));
}

/** One Slack HTTP answer as a SendResult; `error` is the body's error code or a short tag. */
export function classify(
  channel: NotifierChannel,
  status: number,
  retryAfter: string | null,
  error: string | null,
): SendResult {
  if (status === 429) {
    return {
      kind: "retry-after",
      channel,
      seconds: retryAfterSeconds(retryAfter),
      error: "rate_limited",
    };
  }
  if (status >= 500) return { kind: "transient", channel, error: error ?? `http_${status}` };
  if (error === null && status >= 200 && status < 300) return { kind: "sent", channel };
  const code = error ?? `http_${status}`;
  if (code === "ratelimited" || code === "rate_limited") {
    return { kind: "retry-after", channel, seconds: retryAfterSeconds(retryAfter), error: code };
  }
  if (PERMANENT_ERRORS.has(code) || (status >= 400 && status < 500)) {
    return { kind: "permanent", channel, error: code };
  }
  // An unknown `ok:false` code on a 200 (internal_error, fatal_error, service_unavailable…).
  return { kind: "transient", channel, error: code };
}
