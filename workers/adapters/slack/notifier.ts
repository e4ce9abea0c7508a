import type {
  LookupResult,
  Notifier,
  NotifierMessage,
  SendResult,
} from "../../../core/ports/notifier";
import type { NotifierChannel } from "../../../core/vocabulary/notifications";
import { escapeMrkdwn } from "../../notifications/messages";
import { findNotificationMessage, NOTIFICATION_EVENT } from "./history";
import { classify } from "./responses";

export interface SlackConfig {
  /** xoxb-… bot token: direct messages through chat.postMessage. */
  botToken: string | null;
  /** Incoming webhook URL: one channel, used when there is no bot token. */
  webhookUrl: string | null;
  /** https://slack.com/api in production; the fake Slack's address in tests. */
  apiBaseUrl: string;
}

/** A hung Slack must not hold the whole batch: give up and retry later. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Slack behind the Notifier port. With a bot token, a direct message to the member's Slack id;
 * otherwise the incoming webhook with a mention. Neither the token nor the webhook URL ever
 * appears in a result or a log line: they are credentials.
 */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly config: SlackConfig,
    // Wrapped, never the bare global: workerd throws "Illegal invocation" when fetch is
    // called as a method of another object (this.fetcher(...)); Node and Deno do not care,
    // and the vitest pool's patched fetch hid it (found by the contract suite on wrangler dev).
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  /** Which way a message to this member would go, or null when it cannot go anywhere. */
  channelFor(slackId: string | null): NotifierChannel | null {
    if (this.config.botToken && slackId) return "dm";
    if (this.config.webhookUrl) return "webhook";
    return null;
  }

  async send(message: NotifierMessage): Promise<SendResult> {
    const channel = this.channelFor(message.slackId);
    if (channel === "dm" && this.config.botToken && message.slackId) {
      return this.post("dm", `${this.config.apiBaseUrl}/chat.postMessage`, {
        headers: { authorization: `Bearer ${this.config.botToken}` },
        body: {
          channel: message.slackId,
          text: message.text,
          blocks: message.blocks,
          // What lets a retry find this message if its answer is lost (./history.ts).
          ...(message.notificationId && {
            metadata: {
              event_type: NOTIFICATION_EVENT,
              event_payload: { notificationId: message.notificationId },
            },
          }),
        },
      });
    }
    if (channel === "webhook" && this.config.webhookUrl) {
      return this.post("webhook", this.config.webhookUrl, { body: withMention(message) });
    }
    return {
      kind: "skipped",
      reason: message.slackId ? "no Slack bot token or webhook" : "no Slack id and no webhook",
    };
  }

  /**
   * Only a DM can be looked up (conversations.history with the message metadata); a webhook
   * posts into a channel the app cannot read, so it stays at least once.
   */
  async findSent(message: NotifierMessage, since: Date): Promise<LookupResult> {
    const { botToken, apiBaseUrl } = this.config;
    if (this.channelFor(message.slackId) !== "dm" || !botToken || !message.slackId) {
      return { kind: "unavailable", reason: "a webhook post cannot be looked up" };
    }
    if (!message.notificationId) return { kind: "unavailable", reason: "no notification id" };
    return findNotificationMessage(
      this.fetcher,
      apiBaseUrl,
      botToken,
      message.slackId,
      message.notificationId,
      since,
    );
  }

  private async post(
    channel: NotifierChannel,
    url: string,
    request: { headers?: Record<string, string>; body: unknown },
  ): Promise<SendResult> {
    let res: Response;
    try {
      res = await this.fetcher(url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", ...request.headers },
        body: JSON.stringify(request.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      // Only the error's name: a fetch error message may quote the URL (a webhook secret).
      return { kind: "transient", channel, error: `network: ${(err as Error)?.name ?? "error"}` };
    }
    const text = await res.text().catch(() => "");
    return classify(channel, res.status, res.headers.get("retry-after"), errorCode(channel, text));
  }
}

/** The error code of an answer, or null when it reports success. */
function errorCode(channel: NotifierChannel, body: string): string | null {
  if (channel === "webhook") {
    // Incoming webhooks answer "ok" as plain text, or an error code such as "invalid_token".
    const trimmed = body.trim();
    return trimmed === "" || trimmed === "ok" ? null : trimmed.slice(0, 100);
  }
  try {
    const parsed = JSON.parse(body) as { ok?: unknown; error?: unknown };
    if (parsed.ok === true) return null;
    return typeof parsed.error === "string" ? parsed.error.slice(0, 100) : "unknown_error";
  } catch {
    return "invalid_response";
  }
}

/** A webhook posts to a shared channel: name the member, with a mention when possible. */
function withMention(message: NotifierMessage): { text: string; blocks: unknown[] } {
  const who = message.slackId ? `<@${message.slackId}>` : escapeMrkdwn(message.displayName);
  return {
    text: `${who}: ${message.text}`,
    blocks: [{ type: "section", text: { type: "mrkdwn", text: `Hi ${who},` } }, ...message.blocks],
  };
}
