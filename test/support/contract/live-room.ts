import * as v from "valibot";
import { afterEach, expect, inject } from "vitest";
import WebSocket from "ws";
import {
  openTrialRoom,
  type RefusedUpgrade,
  type TrialRoom,
  type WebSocketConstructor,
} from "../../../clients/trial-room";
import type {
  ApplicationMessage,
  CountsMessage,
  LiveMessage,
  StatusMessage,
} from "../../../core/live-room/messages";
import { issueTicket } from "../../../workers/live-room/tickets";
import { LiveMessage as LiveMessageSchema } from "../../../workers/openapi/responses";
import { api, baseUrls, errorCode } from "./client";

/**
 * The live trial room over real sockets (the `ws` package, Node 20 has no global WebSocket),
 * through the typed client every other caller uses (clients/trial-room.ts). A room here never
 * reconnects: a test that counts messages must see one socket's, so a drop or a refusal ends
 * the room and the test reads why.
 */

/** Which of the target's servers a socket or request goes to (Deno runs two). */
export const serverAt = (i: number) => i % baseUrls.length;

export async function ticketFor(trialId: string, token: string, server = 0): Promise<string> {
  const res = await api("POST", `/v1/trials/${trialId}/live-tickets`, { token, server });
  if (res.status !== 201) {
    throw new Error(`live ticket: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.ticket as string;
}

/** A ticket signed with the target's secret that expired two minutes ago. */
export async function expiredTicket(trialId: string, userId: string): Promise<string> {
  const secret = new TextEncoder().encode(inject("jwtSecret"));
  const { ticket } = await issueTicket(userId, trialId, secret, Date.now() - 120_000);
  return ticket;
}

export interface WatchOptions {
  ticket?: string;
  server?: number;
  /** The WebSocket class; a test that must reach the raw socket passes a recording one. */
  WebSocket?: WebSocketConstructor;
}

/**
 * Every frame any room of a test receives must match the documented LiveMessage schema
 * (the one /docs shows, strict objects): checked as it arrives, reported after each test.
 */
const offContract: { frame: unknown; issues: string[] }[] = [];
afterEach(() => {
  const found = offContract.splice(0);
  expect(found, "frames that do not match the documented LiveMessage").toEqual([]);
});

function checkFrame(frame: LiveMessage): void {
  const result = v.safeParse(LiveMessageSchema, frame);
  if (!result.success) {
    offContract.push({
      frame,
      issues: result.issues.map((i) => `${v.getDotPath(i)}: ${i.message}`),
    });
  }
}

/** A room that never tries twice: one socket, a string ticket or none. */
function watchRoom(trialId: string, opts: WatchOptions = {}): TrialRoom {
  return openTrialRoom(baseUrls[serverAt(opts.server ?? 0)] as string, trialId, {
    ticket: opts.ticket,
    WebSocket: opts.WebSocket ?? (WebSocket as unknown as WebSocketConstructor),
    maxFailures: 0,
    onMessage: checkFrame,
  });
}

/** An open room: its `hello` has come. */
export async function watch(trialId: string, opts: WatchOptions = {}): Promise<TrialRoom> {
  const room = watchRoom(trialId, opts);
  await room.ready;
  return room;
}

/**
 * `count` rooms opened `batch` at a time (all of a batch in flight at once), each with its
 * `hello` before the next batch starts: thousands at once would only queue in the kernel.
 */
export async function watchMany(
  count: number,
  open: (i: number) => Promise<TrialRoom>,
  batch = 100,
): Promise<TrialRoom[]> {
  const rooms: TrialRoom[] = [];
  try {
    for (let start = 0; start < count; start += batch) {
      const size = Math.min(batch, count - start);
      rooms.push(...(await Promise.all(Array.from({ length: size }, (_, j) => open(start + j)))));
    }
  } catch (err) {
    await closeRooms(rooms);
    throw err;
  }
  return rooms;
}

/** Closes every room and waits until each has ended (its socket closed). */
export async function closeRooms(rooms: readonly TrialRoom[]): Promise<void> {
  for (const room of rooms) room.close();
  await Promise.all(rooms.map((r) => r.ended));
}

/**
 * The refusal of an upgrade that must not open: the HTTP answer before the upgrade, with the
 * contract's error shape checked, its code and Retry-After.
 */
export async function refusedUpgrade(
  trialId: string,
  opts: WatchOptions = {},
): Promise<{ status: number; code: string; retryAfter: string | null }> {
  const room = watchRoom(trialId, opts);
  const end = await room.ended;
  if (room.connections > 0 || !end.refusal) {
    throw new Error(`the upgrade was not refused: ${end.reason} (${end.detail})`);
  }
  return refusalOf(end.refusal);
}

function refusalOf(refusal: RefusedUpgrade) {
  const code = errorCode({ status: refusal.status, body: refusal.body, headers: new Headers() });
  return { status: refusal.status, code, retryAfter: refusal.retryAfter };
}

const isCounts = (m: LiveMessage): m is CountsMessage => m.type === "counts";
export const isStatus = (m: LiveMessage): m is StatusMessage => m.type === "status";
export const isApplication = (m: LiveMessage): m is ApplicationMessage => m.type === "application";

export const applicationsOf = (room: TrialRoom) =>
  room.received.filter(isApplication).map((m) => m.application);

export const statusesOf = (room: TrialRoom) =>
  room.received.filter(isStatus).map((m) => [m.status, m.closedReason]);

/** Where the room's latest `counts` sits in `received`; -1 before the first. */
function lastCountsIndex(room: TrialRoom): number {
  for (let i = room.received.length - 1; i >= 0; i--) {
    if (isCounts(room.received[i] as LiveMessage)) return i;
  }
  return -1;
}

function lastCounts(room: TrialRoom): CountsMessage | undefined {
  return room.received[lastCountsIndex(room)] as CountsMessage | undefined;
}

export interface LiveCounts {
  won: number;
  waitlisted: number;
  remaining: number;
  applicants: number;
  status: string;
}

const countsOf = (m: LiveCounts): LiveCounts => ({
  won: m.won,
  waitlisted: m.waitlisted,
  remaining: m.remaining,
  applicants: m.applicants,
  status: m.status,
});

/** GET /v1/trials/:id's live fields, the ones a `counts` message carries. */
export async function trialCounts(trialId: string): Promise<LiveCounts> {
  const res = await api("GET", `/v1/trials/${trialId}`);
  expect(res.status).toBe(200);
  return countsOf(res.body);
}

/**
 * Waits (bounded) until every room's latest `counts` is `expected`: the room sends one after
 * the last change, within the pacing interval, so a room still short of it is late, not slow.
 */
export async function countsSettleOn(
  rooms: readonly TrialRoom[],
  expected: LiveCounts,
  timeoutMs = 10_000,
): Promise<void> {
  const same = (m: LiveMessage) =>
    isCounts(m) && JSON.stringify(countsOf(m)) === JSON.stringify(expected);
  const waits = rooms.map((room) =>
    room
      .waitFor(same, {
        timeoutMs,
        // Only the latest counts may match: an equal one followed by another is not settled.
        from: Math.max(0, lastCountsIndex(room)),
        description: `counts ${JSON.stringify(expected)}`,
      })
      .then(() => undefined),
  );
  const failed = (await Promise.allSettled(waits)).filter((r) => r.status === "rejected");
  if (failed.length > 0) {
    const example = (failed[0] as PromiseRejectedResult).reason;
    throw new Error(
      `${failed.length} of ${rooms.length} rooms never settled on ${JSON.stringify(expected)}; e.g. ${String(example)}`,
    );
  }
  // And nothing newer contradicts it.
  const last = rooms.map((room) => countsOf(lastCounts(room) as CountsMessage));
  expect(last.filter((c) => JSON.stringify(c) !== JSON.stringify(expected))).toEqual([]);
}

/**
 * A WebSocket class that keeps every socket it makes, so a test can send the room what the
 * client never would (floods, unknown messages) while the client still reads the answers.
 */
export function recordingWebSocket(): {
  WebSocket: WebSocketConstructor;
  sockets: WebSocket[];
} {
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { WebSocket: Recording as unknown as WebSocketConstructor, sockets };
}
