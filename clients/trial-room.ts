import { CLOSE, PING } from "../core/live-room/client-messages";
import type { HelloMessage, LiveMessage } from "../core/live-room/messages";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF, retryAfterDelay } from "./backoff";
import { isFinalStatus } from "./live-frames";
import {
  type AttemptOutcome,
  attemptSocket,
  type RefusedUpgrade,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./socket-attempt";

/**
 * A typed client of the live trial room (GET /v1/trials/:id/live, API.md "Live trial room"):
 * its messages as an async iterator (or a callback), a bounded wait for the message one
 * expects, pings, and reconnection with capped, jittered backoff, each new socket starting
 * with a fresh `hello`. Used by the tests, `npm run seed:rush` and the live bench.
 *
 *   const room = openTrialRoom(base, trialId, { ticket: () => newTicket(), WebSocket });
 *   const hello = await room.ready;
 *   const mine = await room.waitFor((m) => m.type === "application", { timeoutMs: 5000 });
 *
 * Every message received is kept in `received` for the room's life (a room is short-lived:
 * a test, a rush, a page), so a wait started late still sees what came before it.
 */
export interface TrialRoomOptions {
  /**
   * A ticket (POST /v1/trials/:id/live-tickets) for one's own `application` messages. A
   * ticket opens one socket, so a string allows no reconnection: pass a function that
   * fetches a fresh one to reconnect as the same member. Without it: a public watcher.
   */
  ticket?: string | (() => Promise<string>);
  /** The WebSocket class: `ws`'s in Node 20; defaults to globalThis.WebSocket. */
  WebSocket?: WebSocketConstructor;
  backoff?: Partial<BackoffPolicy>;
  /** Attempts in a row that may fail (no `hello`) before the room gives up. */
  maxFailures?: number;
  /** Ping every `everyMs`; a pong missing after `timeoutMs` drops the socket (then retry). */
  keepAlive?: { everyMs: number; timeoutMs: number };
  /** Called on every message as it arrives, with Date.now() at arrival. */
  onMessage?: (message: LiveMessage, receivedAt: number) => void;
  /** The room's own events: for logs and progress lines. */
  onLifecycle?: (event: RoomLifecycle) => void;
  /** [0, 1), for the jitter (tests pass their own). */
  random?: () => number;
}

export type RoomLifecycle =
  | { type: "opened"; attempt: number }
  | { type: "retrying"; inMs: number; cause: string }
  | { type: "ignored-frame"; reason: string }
  | { type: "ended"; end: RoomEnd };

export interface RoomEnd {
  /**
   * closed: by the caller; refused: the upgrade was refused for good (400/401/404/426, or
   * a 503/429 with a ticket that cannot be renewed); gave-up: too many failures in a row;
   * ticket-spent: dropped, and a string ticket cannot open another socket; policy: the room
   * closed us with 1008; trial-over: the room said goodbye (1001) to a cancelled/ended trial.
   */
  reason: "closed" | "refused" | "gave-up" | "ticket-spent" | "policy" | "trial-over";
  detail: string;
  /** The last refused upgrade, if the end came from one. */
  refusal: RefusedUpgrade | null;
}

export class TrialRoomError extends Error {
  constructor(
    message: string,
    readonly end: RoomEnd | null,
  ) {
    super(message);
    this.name = "TrialRoomError";
  }
}

export interface WaitOptions {
  /** Give up after this long (default 10 s) with an error naming what was awaited. */
  timeoutMs?: number;
  /** Look from this index of `received` on (default 0: everything received so far). */
  from?: number;
  /** Says what is awaited, in the timeout's message. */
  description?: string;
}

export interface TrialRoom extends AsyncIterable<LiveMessage> {
  /** The room's URL, without the ticket. */
  readonly url: string;
  /** Every message received so far, in order, across reconnections. */
  readonly received: readonly LiveMessage[];
  /** Sockets that have opened and said `hello` so far. */
  readonly connections: number;
  /** The first `hello`; rejects with a TrialRoomError (and its refusal) if the room ends first. */
  readonly ready: Promise<HelloMessage>;
  /** Settles when the room will say nothing more, with why. */
  readonly ended: Promise<RoomEnd>;
  waitFor<T extends LiveMessage>(
    match: (m: LiveMessage) => m is T,
    options?: WaitOptions,
  ): Promise<T>;
  waitFor(match: (m: LiveMessage) => boolean, options?: WaitOptions): Promise<LiveMessage>;
  /** Send the ping; resolves with the round trip in ms when the pong comes back. */
  ping(timeoutMs?: number): Promise<number>;
  close(): void;
}

const FINAL_REFUSALS = new Set([400, 401, 404, 426]);
const DEFAULT_MAX_FAILURES = 8;

export function liveRoomUrl(base: string, trialId: string): string {
  const url = new URL(
    `v1/trials/${encodeURIComponent(trialId)}/live`,
    base.endsWith("/") ? base : `${base}/`,
  );
  url.protocol =
    url.protocol === "https:" ? "wss:" : url.protocol === "http:" ? "ws:" : url.protocol;
  return url.toString();
}

export function openTrialRoom(
  base: string,
  trialId: string,
  options: TrialRoomOptions = {},
): TrialRoom {
  const WebSocketClass =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocketClass) {
    throw new Error("No global WebSocket here (Node 20): pass { WebSocket } from the ws package.");
  }
  const url = liveRoomUrl(base, trialId);
  const policy = { ...DEFAULT_BACKOFF, ...options.backoff };
  const maxFailures = options.maxFailures ?? DEFAULT_MAX_FAILURES;
  const random = options.random ?? Math.random;

  const received: LiveMessage[] = [];
  /** Called on every new message and at the end: pending waits and iterators look again. */
  const watchers = new Set<() => void>();
  const pongs: Array<() => void> = [];
  let connections = 0;
  let socket: WebSocketLike | null = null;
  let end: RoomEnd | null = null;
  let stopping = false;
  let wakeSleep: (() => void) | null = null;

  let settleReady!: { resolve: (m: HelloMessage) => void; reject: (e: Error) => void };
  const ready = new Promise<HelloMessage>((resolve, reject) => {
    settleReady = { resolve, reject };
  });
  ready.catch(() => {}); // Unobserved when nobody awaits it; `ended` says the same.
  let settleEnded!: (end: RoomEnd) => void;
  const ended = new Promise<RoomEnd>((resolve) => {
    settleEnded = resolve;
  });

  const notify = () => {
    for (const watcher of [...watchers]) watcher();
  };

  function finish(
    reason: RoomEnd["reason"],
    detail: string,
    refusal: RefusedUpgrade | null = null,
  ) {
    if (end) return;
    end = { reason, detail, refusal };
    settleReady.reject(
      new TrialRoomError(`The room of trial ${trialId} ended: ${reason} (${detail})`, end),
    );
    settleEnded(end);
    options.onLifecycle?.({ type: "ended", end });
    notify();
  }

  /** The trial's last known status is final, so a goodbye from the room is for good. */
  function trialIsOver(): boolean {
    for (let i = received.length - 1; i >= 0; i--) {
      const m = received[i] as LiveMessage;
      if (m.type === "hello" || m.type === "status") return isFinalStatus(m);
    }
    return false;
  }

  function open(ticket: string | undefined): Promise<AttemptOutcome> {
    const target = ticket === undefined ? url : `${url}?ticket=${encodeURIComponent(ticket)}`;
    let keepAlive: ReturnType<typeof setInterval> | undefined;
    const attempt = attemptSocket(WebSocketClass as WebSocketConstructor, target, {
      onMessage(message) {
        received.push(message);
        if (message.type === "hello") {
          connections++;
          settleReady.resolve(message);
        }
        options.onMessage?.(message, Date.now());
        notify();
      },
      onPong: () => pongs.shift()?.(),
      onIgnored: (reason) => options.onLifecycle?.({ type: "ignored-frame", reason }),
      onOpen(opened) {
        options.onLifecycle?.({ type: "opened", attempt: connections + 1 });
        if (!options.keepAlive) return;
        const { everyMs, timeoutMs } = options.keepAlive;
        keepAlive = setInterval(() => {
          ping(timeoutMs).catch(() => dropDead(opened));
        }, everyMs);
      },
    });
    socket = attempt.socket;
    return attempt.outcome.finally(() => {
      clearInterval(keepAlive);
      socket = null;
    });
  }

  /** A socket that stopped answering pings: cut it without waiting for a closing handshake. */
  function dropDead(dead: WebSocketLike) {
    const terminate = (dead as { terminate?: () => void }).terminate;
    if (typeof terminate === "function") terminate.call(dead);
    else dead.close(4000, "no pong");
  }

  async function nextTicket(): Promise<string | undefined> {
    return typeof options.ticket === "function" ? options.ticket() : options.ticket;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wakeSleep = null;
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    let attempts = 0;
    let lastRefusal: RefusedUpgrade | null = null;
    while (!stopping) {
      let wait: number;
      let cause: string;
      let ticket: string | undefined;
      try {
        ticket = await nextTicket();
      } catch (error) {
        ticket = undefined;
        cause = `no ticket: ${(error as Error).message}`;
        wait = backoffDelay(failures++, policy, random);
        if (failures > maxFailures) return finish("gave-up", cause, lastRefusal);
        options.onLifecycle?.({ type: "retrying", inMs: wait, cause });
        await sleep(wait);
        continue;
      }
      if (stopping) break;
      attempts++;
      const outcome = await open(ticket);
      if (stopping) break;
      if (outcome.kind === "refused") {
        const { refusal } = outcome;
        lastRefusal = refusal;
        cause = `upgrade refused: ${refusal.status}${refusal.code ? ` ${refusal.code}` : ""}`;
        if (FINAL_REFUSALS.has(refusal.status)) return finish("refused", cause, refusal);
        wait =
          retryAfterDelay(refusal.retryAfter, Date.now(), random) ??
          backoffDelay(failures, policy, random);
        failures++;
      } else if (outcome.kind === "failed") {
        cause = outcome.detail;
        wait = backoffDelay(failures++, policy, random);
      } else {
        cause = `dropped (${outcome.code}${outcome.reason ? ` ${outcome.reason}` : ""})`;
        if (outcome.code === CLOSE.POLICY) return finish("policy", cause);
        if (outcome.code === CLOSE.GOING_AWAY && trialIsOver()) return finish("trial-over", cause);
        if (outcome.sawHello) failures = 0;
        wait = backoffDelay(failures++, policy, random);
      }
      if (typeof options.ticket === "string" && attempts > 0) {
        return outcome.kind === "refused"
          ? finish("refused", `${cause}; a string ticket cannot be used again`, lastRefusal)
          : finish("ticket-spent", `${cause}; pass a ticket function to reconnect`);
      }
      if (failures > maxFailures) {
        return finish(
          "gave-up",
          `${failures} failed attempts in a row, last: ${cause}`,
          lastRefusal,
        );
      }
      options.onLifecycle?.({ type: "retrying", inMs: wait, cause });
      await sleep(wait);
    }
    finish("closed", "closed by the client");
  }

  function ping(timeoutMs = 5_000): Promise<number> {
    const current = socket?.readyState === 1 ? socket : null;
    if (!current) {
      return Promise.reject(new TrialRoomError("ping: the room's socket is not open", end));
    }
    const sentAt = performance.now();
    return new Promise<number>((resolve, reject) => {
      const answered = () => {
        clearTimeout(timer);
        resolve(performance.now() - sentAt);
      };
      const timer = setTimeout(() => {
        const index = pongs.indexOf(answered);
        if (index >= 0) pongs.splice(index, 1);
        reject(new TrialRoomError(`ping: no pong within ${timeoutMs} ms`, end));
      }, timeoutMs);
      pongs.push(answered);
      current.send(PING);
    });
  }

  function waitFor(match: (m: LiveMessage) => boolean, waitOptions: WaitOptions = {}) {
    const { timeoutMs = 10_000, from = 0, description = "a matching message" } = waitOptions;
    return new Promise<LiveMessage>((resolve, reject) => {
      let index = from;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stop = () => {
        clearTimeout(timer);
        watchers.delete(look);
      };
      function look() {
        for (; index < received.length; index++) {
          const message = received[index] as LiveMessage;
          if (match(message)) {
            stop();
            resolve(message);
            return;
          }
        }
        if (end) {
          stop();
          reject(
            new TrialRoomError(
              `The room of trial ${trialId} ended (${end.reason}: ${end.detail}) before ${description}`,
              end,
            ),
          );
        }
      }
      timer = setTimeout(() => {
        stop();
        const last = received.at(-1);
        reject(
          new TrialRoomError(
            `Timed out after ${timeoutMs} ms waiting for ${description} in the room of trial ${trialId}: ` +
              `${received.length} messages received, the last ${last ? JSON.stringify(last) : "none"}`,
            end,
          ),
        );
      }, timeoutMs);
      watchers.add(look);
      look();
    });
  }

  function iterate(): AsyncIterableIterator<LiveMessage> {
    let index = 0;
    const iterator: AsyncIterableIterator<LiveMessage> = {
      next: () =>
        new Promise<IteratorResult<LiveMessage>>((resolve) => {
          const look = () => {
            if (index < received.length) {
              watchers.delete(look);
              resolve({ value: received[index++] as LiveMessage, done: false });
            } else if (end) {
              watchers.delete(look);
              resolve({ value: undefined, done: true });
            }
          };
          watchers.add(look);
          look();
        }),
      // Leaving a for-await early stops this iterator only; close() ends the room.
      return: async () => {
        index = Number.POSITIVE_INFINITY;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  void run();

  return {
    url,
    received,
    get connections() {
      return connections;
    },
    ready,
    ended,
    waitFor: waitFor as TrialRoom["waitFor"],
    ping,
    close() {
      if (stopping) return;
      stopping = true;
      wakeSleep?.();
      if (socket) socket.close(1000, "closed by the client");
      else if (!end) void Promise.resolve().then(() => finish("closed", "closed by the client"));
    },
    [Symbol.asyncIterator]: iterate,
  };
}

export type { HelloMessage, LiveMessage, RefusedUpgrade, WebSocketConstructor };
