import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import {
  liveRoomUrl,
  openTrialRoom,
  type TrialRoom,
  TrialRoomError,
  type TrialRoomOptions,
} from "../../clients/trial-room";
import { CLOSE, PING, PONG } from "../../core/live-room/client-messages";

/**
 * The live room's client (clients/trial-room.ts) against a stand-in room: a real HTTP server
 * and real sockets (the `ws` package, as Node 20 callers use it), scripted per connection,
 * so reconnection, refusals and pings are seen on the wire without the app.
 */
const at = "2030-01-01T00:00:00.000Z";
const trial = {
  id: "t1",
  status: "OPEN",
  closedReason: null,
  won: 0,
  waitlisted: 0,
  remaining: 3,
  applicants: 0,
};
const hello = (status = "OPEN", closedReason: string | null = null) =>
  JSON.stringify({
    type: "hello",
    serverTime: at,
    trial: { ...trial, status, closedReason },
    application: null,
  });
const counts = (won: number) =>
  JSON.stringify({
    type: "counts",
    won,
    waitlisted: 0,
    remaining: 3 - won,
    applicants: won,
    status: "OPEN",
    at,
  });

type Answer =
  | { refuse: number; retryAfter?: string; code?: string }
  | { accept: (socket: WebSocket) => void };

interface StandIn {
  base: string;
  /** The URL of every upgrade request, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A room that answers its n-th upgrade with `answers[n]` (the last one from then on). */
async function standInRoom(answers: Answer[]): Promise<StandIn> {
  const wss = new WebSocketServer({ noServer: true });
  const requests: string[] = [];
  const server: Server = createServer((_req, res) => res.writeHead(426).end());
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    requests.push(req.url ?? "");
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)] as Answer;
    if ("refuse" in answer) {
      const body = JSON.stringify({
        error: { code: answer.code ?? "REFUSED", message: "no", details: [] },
      });
      socket.end(
        `HTTP/1.1 ${answer.refuse} Refused\r\nContent-Type: application/json\r\n` +
          `${answer.retryAfter ? `Retry-After: ${answer.retryAfter}\r\n` : ""}` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => answer.accept(ws));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function room(stand: StandIn, options: TrialRoomOptions = {}): Promise<TrialRoom> {
  const opened = openTrialRoom(stand.base, "t1", {
    WebSocket,
    backoff: { initialMs: 10, maxMs: 50 },
    ...options,
  });
  cleanups.push(() => opened.close());
  return opened;
}

async function withStandIn(answers: Answer[]): Promise<StandIn> {
  const stand = await standInRoom(answers);
  cleanups.push(() => stand.close());
  return stand;
}

describe("openTrialRoom", () => {
  it("opens the room's URL beside the API's base, ws for http and wss for https", () => {
    expect(liveRoomUrl("http://127.0.0.1:8787", "t 1")).toBe(
      "ws://127.0.0.1:8787/v1/trials/t%201/live",
    );
    expect(liveRoomUrl("https://try.example/api/", "t1")).toBe(
      "wss://try.example/api/v1/trials/t1/live",
    );
  });

  it("yields the room's messages, typed and in order, and waits for one that came earlier", async () => {
    const stand = await withStandIn([
      {
        accept: (ws) => {
          ws.send(hello());
          ws.send("not json"); // ignored, not fatal
          ws.send(counts(1));
          ws.send(counts(2));
        },
      },
    ]);
    const ignored: string[] = [];
    const r = await room(stand, {
      onLifecycle: (e) => e.type === "ignored-frame" && ignored.push(e.reason),
    });
    expect((await r.ready).trial.status).toBe("OPEN");
    const second = await r.waitFor((m) => m.type === "counts" && m.won === 2, { timeoutMs: 5_000 });
    // A wait started after the message came still finds it.
    const first = await r.waitFor((m) => m.type === "counts" && m.won === 1, { timeoutMs: 100 });
    expect([first, second].map((m) => m.type === "counts" && m.won)).toEqual([1, 2]);
    const seen: string[] = [];
    for await (const m of r) {
      seen.push(m.type);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(["hello", "counts", "counts"]);
    expect(ignored).toEqual(["not JSON"]);
    expect(stand.requests).toEqual(["/v1/trials/t1/live"]);
  });

  it("names what it waited for when the wait times out", async () => {
    const stand = await withStandIn([{ accept: (ws) => ws.send(hello()) }]);
    const r = await room(stand);
    await r.ready;
    await expect(
      r.waitFor((m) => m.type === "application", { timeoutMs: 50, description: "my decision" }),
    ).rejects.toThrow(
      /Timed out after 50 ms waiting for my decision .* 1 messages received, the last \{"type":"hello"/,
    );
  });

  it("reconnects when the socket drops, with a fresh ticket and a fresh hello", async () => {
    let tickets = 0;
    const stand = await withStandIn([
      {
        accept: (ws) => {
          ws.send(hello());
          ws.send(counts(1));
          ws.terminate();
        },
      },
      {
        accept: (ws) => {
          ws.send(hello());
          ws.send(counts(2));
        },
      },
    ]);
    const r = await room(stand, { ticket: async () => `ticket-${++tickets}` });
    await r.waitFor((m) => m.type === "counts" && m.won === 2, { timeoutMs: 5_000 });
    expect(stand.requests).toEqual([
      "/v1/trials/t1/live?ticket=ticket-1",
      "/v1/trials/t1/live?ticket=ticket-2",
    ]);
    expect(r.connections).toBe(2);
    expect(r.received.map((m) => m.type)).toEqual(["hello", "counts", "hello", "counts"]);
  });

  it("does not reuse a string ticket: a dropped socket ends the room", async () => {
    const stand = await withStandIn([
      {
        accept: (ws) => {
          ws.send(hello());
          ws.terminate();
        },
      },
    ]);
    const r = await room(stand, { ticket: "once" });
    const end = await r.ended;
    expect(end.reason).toBe("ticket-spent");
    expect(stand.requests).toEqual(["/v1/trials/t1/live?ticket=once"]);
  });

  it.each([
    [401, "INVALID_LIVE_TICKET"],
    [404, "TRIAL_NOT_FOUND"],
    [426, "UPGRADE_REQUIRED"],
  ])("reports a %i refusal with its body and never retries it", async (status, code) => {
    const stand = await withStandIn([{ refuse: status, code }]);
    const r = await room(stand, { ticket: async () => "t" });
    const error = await r.ready.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TrialRoomError);
    expect(error).toMatchObject({
      end: {
        reason: "refused",
        refusal: { status, code, body: { error: { code, message: "no" } } },
      },
    });
    expect(stand.requests).toHaveLength(1);
  });

  it("waits out a full room's Retry-After, then gets in", async () => {
    const stand = await withStandIn([
      { refuse: 503, code: "LIVE_ROOM_FULL", retryAfter: "1" },
      { accept: (ws) => ws.send(hello()) },
    ]);
    const started = Date.now();
    const retries: number[] = [];
    const r = await room(stand, {
      onLifecycle: (e) => e.type === "retrying" && retries.push(e.inMs),
    });
    await r.ready;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toBeGreaterThanOrEqual(1_000);
    expect(stand.requests).toHaveLength(2);
  });

  it("gives up after too many refusals in a row, keeping the last", async () => {
    const stand = await withStandIn([{ refuse: 429, code: "RATE_LIMITED", retryAfter: "0" }]);
    const r = await room(stand, { maxFailures: 3 });
    const end = await r.ended;
    expect(end).toMatchObject({
      reason: "gave-up",
      refusal: { status: 429, code: "RATE_LIMITED" },
    });
    expect(stand.requests).toHaveLength(4);
  });

  it("gives up on a server that is not there", async () => {
    const stand = await standInRoom([{ accept: () => {} }]);
    await stand.close();
    const r = await room(stand, { maxFailures: 2 });
    expect((await r.ended).reason).toBe("gave-up");
  });

  it("pings and times the pong", async () => {
    const stand = await withStandIn([
      {
        accept: (ws) => {
          ws.send(hello());
          ws.on("message", (data) => String(data) === PING && ws.send(PONG));
        },
      },
    ]);
    const r = await room(stand);
    await r.ready;
    const rtt = await r.ping(2_000);
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThan(2_000);
  });

  it("drops a socket whose pongs stop, and reconnects", async () => {
    const stand = await withStandIn([
      { accept: (ws) => ws.send(hello()) }, // never answers a ping
      {
        accept: (ws) => {
          ws.send(hello());
          ws.on("message", (data) => String(data) === PING && ws.send(PONG));
        },
      },
    ]);
    const r = await room(stand, { keepAlive: { everyMs: 50, timeoutMs: 100 } });
    await r.waitFor((m) => m.type === "hello", {
      from: 1,
      timeoutMs: 5_000,
      description: "a second hello",
    });
    expect(r.connections).toBe(2);
  });

  it("stops on a policy close (1008) and on the goodbye of a trial that is over", async () => {
    const flood = await withStandIn([
      {
        accept: (ws) => {
          ws.send(hello());
          ws.close(CLOSE.POLICY);
        },
      },
    ]);
    expect((await (await room(flood)).ended).reason).toBe("policy");
    const over = await withStandIn([
      {
        accept: (ws) => {
          ws.send(hello("CANCELLED"));
          ws.close(CLOSE.GOING_AWAY);
        },
      },
    ]);
    expect((await (await room(over)).ended).reason).toBe("trial-over");
    expect([flood.requests.length, over.requests.length]).toEqual([1, 1]);
  });

  it("a goodbye from a room whose trial goes on (a restart) is followed by a reconnect", async () => {
    const stand = await withStandIn([
      {
        accept: (ws) => {
          ws.send(hello());
          ws.close(CLOSE.GOING_AWAY);
        },
      },
      { accept: (ws) => ws.send(hello()) },
    ]);
    const r = await room(stand);
    await r.waitFor((m) => m.type === "hello", { from: 1, timeoutMs: 5_000 });
    expect(stand.requests).toHaveLength(2);
  });

  it("close() ends the room, its iterators and its waits", async () => {
    const stand = await withStandIn([{ accept: (ws) => ws.send(hello()) }]);
    const r = await room(stand);
    await r.ready;
    const waiting = r.waitFor((m) => m.type === "application", { timeoutMs: 5_000 });
    const iterated = (async () => {
      const types: string[] = [];
      for await (const m of r) types.push(m.type);
      return types;
    })();
    r.close();
    await expect(waiting).rejects.toThrow(/ended \(closed/);
    expect(await iterated).toEqual(["hello"]);
    expect((await r.ended).reason).toBe("closed");
  });
});
