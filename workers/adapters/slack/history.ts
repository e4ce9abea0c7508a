import type { LookupResult } from "../../../core/ports/notifier";

/**
 * Finding a message the notifier sent earlier, by the metadata it carried: for a send whose
 * answer was lost (the record step failed after Slack accepted it), so a retry does not post
 * it twice (docs/decisions/0035). Bot scopes this needs besides chat:write: im:write
 * (conversations.open) and im:history (conversations.history).
 */

/** The metadata event every notification message carries. */
export const NOTIFICATION_EVENT = "try_it_notification";

/** Slack's clock and ours may differ: look a little further back than the first attempt. */
const CLOCK_SLACK_SECONDS = 300;
/** Pages of history read at most; a DM from the bot holds a handful of messages a day. */
const MAX_PAGES = 5;
const PAGE_SIZE = 200;
const REQUEST_TIMEOUT_MS = 10_000;

/** Slack answers these when the token may not read the history: looking again will not help. */
const CANNOT_READ = new Set([
  "missing_scope",
  "not_authed",
  "invalid_auth",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
  "channel_not_found",
  "user_not_found",
  "user_disabled",
  "cannot_dm_bot",
  "ekm_access_denied",
]);

interface HistoryMessage {
  metadata?: { event_type?: unknown; event_payload?: { notificationId?: unknown } };
}

type Answer = { ok: true; body: Record<string, unknown> } | { ok: false; result: LookupResult };

export async function findNotificationMessage(
  fetcher: typeof fetch,
  apiBaseUrl: string,
  botToken: string,
  slackId: string,
  notificationId: string,
  since: Date,
): Promise<LookupResult> {
  const auth = { authorization: `Bearer ${botToken}` };
  // A DM's history is read by its conversation id (D…); opening it again returns that id.
  const opened = await call(fetcher, `${apiBaseUrl}/conversations.open`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ users: slackId }).toString(),
  });
  if (!opened.ok) return opened.result;
  const channel = (opened.body.channel as { id?: unknown } | undefined)?.id;
  if (typeof channel !== "string") return { kind: "transient", error: "conversations.open: no id" };

  const oldest = String(Math.floor(since.getTime() / 1000) - CLOCK_SLACK_SECONDS);
  let cursor = "";
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({
      channel,
      oldest,
      include_all_metadata: "true",
      limit: String(PAGE_SIZE),
      ...(cursor && { cursor }),
    });
    const history = await call(fetcher, `${apiBaseUrl}/conversations.history?${query}`, {
      method: "GET",
      headers: auth,
    });
    if (!history.ok) return history.result;
    const messages = (history.body.messages ?? []) as HistoryMessage[];
    if (messages.some((m) => carries(m, notificationId))) return { kind: "found" };
    const next = (history.body.response_metadata as { next_cursor?: unknown } | undefined)
      ?.next_cursor;
    if (history.body.has_more !== true || typeof next !== "string" || next === "") {
      return { kind: "absent" };
    }
    cursor = next;
  }
  // More history than a DM of ours ever holds: send again rather than never.
  return { kind: "unavailable", reason: "history too long to search" };
}

function carries(message: HistoryMessage, notificationId: string): boolean {
  return (
    message.metadata?.event_type === NOTIFICATION_EVENT &&
    message.metadata.event_payload?.notificationId === notificationId
  );
}

async function call(fetcher: typeof fetch, url: string, init: RequestInit): Promise<Answer> {
  const method = new URL(url).pathname.split("/").pop();
  let res: Response;
  try {
    res = await fetcher(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    // Only the error's name: a fetch error message may quote the URL.
    return transient(`${method}: network ${(err as Error)?.name ?? "error"}`);
  }
  if (res.status === 429 || res.status >= 500) return transient(`${method}: http_${res.status}`);
  let body: Record<string, unknown>;
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    return transient(`${method}: invalid_response`);
  }
  if (body.ok === true) return { ok: true, body };
  const code = typeof body.error === "string" ? body.error.slice(0, 100) : "unknown_error";
  if (CANNOT_READ.has(code)) {
    return { ok: false, result: { kind: "unavailable", reason: `${method}: ${code}` } };
  }
  return transient(`${method}: ${code}`);
}

function transient(error: string): Answer {
  return { ok: false, result: { kind: "transient", error } };
}
