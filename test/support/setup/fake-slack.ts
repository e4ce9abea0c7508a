// A local stand-in for Slack that checks requests the way Slack does and records what it
// accepted. Tests script answers per channel (each test uses a fresh Slack id) and read the
// record through a small HTTP API: POST /__fake/script, GET /__fake/messages?channel=…,
// GET /__fake/lookups?channel=… (how often a member's DM history was read).
// It keeps each message's metadata and answers conversations.open (a member's DM id) and
// conversations.history (newest first, `oldest` exclusive, metadata only when asked for
// with include_all_metadata, paged by cursor) as Slack does.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./listen";

const FAKE_SLACK_TOKEN = "xoxb-test-fake-slack-token";
/** Incoming webhooks are a secret path; this is the fake's only valid one. */
const FAKE_WEBHOOK_PATH = "/services/T000TEST/B000TEST/webhook-secret";
/** The record of webhook posts is kept under this channel name. */
const WEBHOOK_CHANNEL = "#webhook";

/** One scripted answer: an HTTP status, optional Retry-After and a Slack error code. */
export interface ScriptedAnswer {
  status?: number;
  retryAfter?: number;
  error?: string;
}

interface Recorded {
  channel: string;
  text: string;
  blocks: unknown[];
  at: number;
  /** Slack's id of a message: seconds.sequence, increasing. */
  ts: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** A member's DM with the bot has its own conversation id (D…), as conversations.open says. */
const dmOf = (slackId: string) => `D${slackId.slice(1)}`;

export async function startFakeSlack(): Promise<{ url: string; close(): Promise<void> }> {
  const scripts = new Map<string, ScriptedAnswer[]>();
  const accepted: Recorded[] = [];
  /** Every request that reached the fake, accepted or not, per channel. */
  const calls = new Map<string, number>();
  /** conversations.history requests per member (Slack id). */
  const lookups = new Map<string, number>();
  let sequence = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, "0")}`;

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname === "/__fake/script" && req.method === "POST") {
      const { channel, answers } = JSON.parse(body) as {
        channel: string;
        answers: ScriptedAnswer[];
      };
      scripts.set(channel, [...answers]);
      return send(res, 200, { ok: true });
    }
    if (url.pathname === "/__fake/messages" && req.method === "GET") {
      const channel = url.searchParams.get("channel") ?? "";
      return send(res, 200, {
        messages: accepted.filter((m) => m.channel === channel),
        calls: calls.get(channel) ?? 0,
      });
    }
    if (url.pathname === "/__fake/lookups" && req.method === "GET") {
      const channel = url.searchParams.get("channel") ?? "";
      return send(res, 200, { lookups: lookups.get(channel) ?? 0 });
    }
    if (url.pathname === "/chat.postMessage" && req.method === "POST") {
      return postMessage(req, res, body);
    }
    if (url.pathname === "/conversations.open" && req.method === "POST") {
      return openConversation(req, res, body);
    }
    if (url.pathname === "/conversations.history" && req.method === "GET") {
      return history(req, res, url.searchParams);
    }
    if (url.pathname === FAKE_WEBHOOK_PATH && req.method === "POST") {
      return webhook(req, res, body);
    }
    if (url.pathname.startsWith("/services/")) return sendText(res, 404, "no_service");
    return send(res, 404, { ok: false, error: "unknown_method" });
  });

  function nextScripted(channel: string): ScriptedAnswer | undefined {
    calls.set(channel, (calls.get(channel) ?? 0) + 1);
    return scripts.get(channel)?.shift();
  }

  function postMessage(req: IncomingMessage, res: ServerResponse, raw: string) {
    // Slack checks the token before anything else, and answers 200 with ok:false.
    if (req.headers.authorization !== `Bearer ${FAKE_SLACK_TOKEN}`) {
      return send(res, 200, { ok: false, error: "invalid_auth" });
    }
    const parsed = parseJson(req, raw);
    if (!parsed || typeof parsed.channel !== "string" || !hasContent(parsed)) {
      return send(res, 200, { ok: false, error: "invalid_arguments" });
    }
    const metadata = parsed.metadata;
    if (metadata !== undefined && !isMetadata(metadata)) {
      return send(res, 200, { ok: false, error: "invalid_metadata_format" });
    }
    const channel = parsed.channel;
    const scripted = nextScripted(channel);
    if (scripted) return answer(res, scripted, "json");
    const ts = nextTs();
    accepted.push({
      channel,
      text: String(parsed.text ?? ""),
      blocks: blocksOf(parsed),
      at: Date.now(),
      ts,
      ...(metadata !== undefined && { metadata }),
    });
    return send(res, 200, { ok: true, channel: dmOf(channel), ts });
  }

  function openConversation(req: IncomingMessage, res: ServerResponse, raw: string) {
    if (req.headers.authorization !== `Bearer ${FAKE_SLACK_TOKEN}`) {
      return send(res, 200, { ok: false, error: "invalid_auth" });
    }
    const users = new URLSearchParams(raw).get("users") ?? "";
    if (!/^U[A-Z0-9]+$/.test(users)) return send(res, 200, { ok: false, error: "user_not_found" });
    return send(res, 200, { ok: true, channel: { id: dmOf(users) } });
  }

  function history(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    if (req.headers.authorization !== `Bearer ${FAKE_SLACK_TOKEN}`) {
      return send(res, 200, { ok: false, error: "invalid_auth" });
    }
    const channel = query.get("channel") ?? "";
    if (!channel.startsWith("D")) return send(res, 200, { ok: false, error: "channel_not_found" });
    const member = `U${channel.slice(1)}`;
    lookups.set(member, (lookups.get(member) ?? 0) + 1);
    const oldest = Number(query.get("oldest") ?? "0");
    const limit = Math.min(999, Math.max(1, Number(query.get("limit") ?? "100") || 100));
    const offset = Number(Buffer.from(query.get("cursor") ?? "", "base64").toString() || "0");
    const withMetadata = query.get("include_all_metadata") === "true";
    const all = accepted
      .filter((m) => (m.channel === member || m.channel === channel) && Number(m.ts) > oldest)
      .reverse();
    const page = all.slice(offset, offset + limit);
    const hasMore = offset + limit < all.length;
    return send(res, 200, {
      ok: true,
      messages: page.map((m) => ({
        type: "message",
        text: m.text,
        ts: m.ts,
        ...(withMetadata && m.metadata && { metadata: m.metadata }),
      })),
      has_more: hasMore,
      response_metadata: {
        next_cursor: hasMore ? Buffer.from(String(offset + limit)).toString("base64") : "",
      },
    });
  }

  function webhook(req: IncomingMessage, res: ServerResponse, raw: string) {
    const parsed = parseJson(req, raw);
    if (!parsed || !hasContent(parsed)) return sendText(res, 400, "invalid_payload");
    const scripted = nextScripted(WEBHOOK_CHANNEL);
    if (scripted) return answer(res, scripted, "text");
    accepted.push({
      channel: WEBHOOK_CHANNEL,
      text: String(parsed.text ?? ""),
      blocks: blocksOf(parsed),
      at: Date.now(),
      ts: nextTs(),
    });
    return sendText(res, 200, "ok");
  }

  return listenOnLoopback(server);
}

function answer(res: ServerResponse, a: ScriptedAnswer, style: "json" | "text") {
  const headers: Record<string, string> = {};
  if (a.retryAfter !== undefined) headers["retry-after"] = String(a.retryAfter);
  const status = a.status ?? 200;
  const error = a.error ?? (status === 429 ? "ratelimited" : `http_${status}`);
  if (style === "text") return sendText(res, status, error, headers);
  return send(res, status, { ok: false, error }, headers);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      data += chunk;
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

/** Slack takes JSON only with a JSON content type; anything else is not a JSON body. */
function parseJson(req: IncomingMessage, raw: string): Record<string, unknown> | null {
  if (!(req.headers["content-type"] ?? "").startsWith("application/json")) return null;
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Slack's message metadata: an event type and a JSON object of its payload. */
function isMetadata(value: unknown): value is Recorded["metadata"] {
  const m = value as { event_type?: unknown; event_payload?: unknown } | null;
  return (
    !!m &&
    typeof m.event_type === "string" &&
    m.event_type.length > 0 &&
    !!m.event_payload &&
    typeof m.event_payload === "object" &&
    !Array.isArray(m.event_payload)
  );
}

function hasContent(body: Record<string, unknown>): boolean {
  const text = typeof body.text === "string" && body.text.length > 0;
  const blocks = Array.isArray(body.blocks) && body.blocks.length > 0;
  return text || blocks;
}

function blocksOf(body: Record<string, unknown>): unknown[] {
  return Array.isArray(body.blocks) ? body.blocks : [];
}

function send(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, body: string, headers = {}) {
  res.writeHead(status, { "content-type": "text/plain", ...headers });
  res.end(body);
}
