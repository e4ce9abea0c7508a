import type { LiveMessage } from "../core/live-room/messages";
import { parseServerFrame } from "./live-frames";

/**
 * One attempt at opening the live room: one socket, from the upgrade to its close. The room
 * (trial-room.ts) decides what to do next from how the attempt ended.
 *
 * The WebSocket is anything shaped like the browser's: the global one (Deno, browsers, Node
 * 22+) or the `ws` package's class (Node 20, which has no global WebSocket).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "error", listener: (event: object) => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: "close",
    listener: (event: { code: number; reason: string }) => void,
  ): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The HTTP answer that refused the upgrade (404, 401, 426, 503, 429…) and its error body. */
export interface RefusedUpgrade {
  status: number;
  /** The `Retry-After` header as sent (503 room full, 429 too many sockets), or null. */
  retryAfter: string | null;
  /** The error's `code` from the body `{error: {code, message}}`, when there is one. */
  code: string | null;
  /** The body, parsed as JSON when it is JSON, else the text. */
  body: unknown;
}

export type AttemptOutcome =
  /** The server answered the upgrade with an HTTP error (known only where the WebSocket
   * exposes it: the `ws` package does, the browser's and Deno's do not). */
  | { kind: "refused"; refusal: RefusedUpgrade }
  /** The socket never opened and the reason is unknown (network, or a refusal unseen). */
  | { kind: "failed"; detail: string }
  /** The socket was open and then closed, by either side or the network. */
  | { kind: "dropped"; code: number; reason: string; sawHello: boolean };

export interface AttemptHandlers {
  onMessage(message: LiveMessage): void;
  onPong(): void;
  onIgnored(reason: string): void;
  onOpen(socket: WebSocketLike): void;
}

/** Open `url` and settle once the socket has closed, however that happened. */
export function attemptSocket(
  WebSocketClass: WebSocketConstructor,
  url: string,
  handlers: AttemptHandlers,
): { socket: WebSocketLike; outcome: Promise<AttemptOutcome> } {
  const socket = new WebSocketClass(url);
  let opened = false;
  let sawHello = false;
  let refusal: RefusedUpgrade | null = null;
  const outcome = new Promise<AttemptOutcome>((resolve) => {
    watchRefusal(socket, (refused) => {
      refusal = refused;
      socket.close();
    });
    socket.addEventListener("open", () => {
      opened = true;
      handlers.onOpen(socket);
    });
    socket.addEventListener("message", (event) => {
      const frame = parseServerFrame(event.data);
      if (frame.kind === "message") {
        if (frame.message.type === "hello") sawHello = true;
        handlers.onMessage(frame.message);
      } else if (frame.kind === "pong") handlers.onPong();
      else handlers.onIgnored(frame.reason);
    });
    // Every error is followed by a close, which settles the attempt.
    socket.addEventListener("error", () => {});
    socket.addEventListener("close", (event) => {
      const { code, reason } = event;
      if (refusal) resolve({ kind: "refused", refusal });
      else if (opened) resolve({ kind: "dropped", code, reason, sawHello });
      else resolve({ kind: "failed", detail: `closed (${code}) before it opened` });
    });
  });
  return { socket, outcome };
}

/** What the `ws` package adds to the browser's API: the HTTP answer of a refused upgrade. */
interface NodeWsEvents {
  on(
    event: "unexpected-response",
    listener: (request: unknown, response: HttpAnswer) => void,
  ): unknown;
}

interface HttpAnswer {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  setEncoding(encoding: "utf8"): void;
  on(event: "data" | "end" | "error", listener: (chunk?: unknown) => void): unknown;
}

/** The most of a refusal's body kept: an error body is small, anything longer is noise. */
const BODY_LIMIT = 16_384;

function watchRefusal(socket: WebSocketLike, refused: (refusal: RefusedUpgrade) => void): void {
  const events = socket as unknown as Partial<NodeWsEvents>;
  if (typeof events.on !== "function") return;
  events.on("unexpected-response", (_request, response) => {
    let text = "";
    response.setEncoding("utf8");
    response.on("data", (chunk) => {
      if (text.length < BODY_LIMIT) text += String(chunk);
    });
    const settle = () => refused(readRefusal(response, text.slice(0, BODY_LIMIT)));
    response.on("end", settle);
    response.on("error", settle);
  });
}

function readRefusal(response: HttpAnswer, text: string): RefusedUpgrade {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  const error = (body as { error?: { code?: unknown } } | null)?.error;
  const header = response.headers["retry-after"];
  return {
    status: response.statusCode ?? 0,
    retryAfter: Array.isArray(header) ? (header[0] ?? null) : (header ?? null),
    code: typeof error?.code === "string" ? error.code : null,
    body,
  };
}
