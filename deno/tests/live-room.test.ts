import assert from "node:assert/strict";
import { FLOOD_LIMIT, PING, PONG } from "../../core/live-room/client-messages.ts";
import type { LiveAdmission, OpenResult } from "../../core/ports/live-rooms.ts";
import { kvTrialGates } from "../kv-gate.ts";
import { CoalescingRunner } from "../live-room/coalescing-runner.ts";
import { denoLiveRooms } from "../live-room/rooms.ts";
import { spendTicket } from "../live-room/tickets.ts";
import { applyOne, openTerms, tempKv } from "./helpers.ts";

/** A promise and its resolver, to hold a run open while the test acts. */
function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** `promise`, or a failure naming `what` after `ms`: no wait in these tests is unbounded. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("changes during a round fold into exactly one more round", async () => {
  const gates: ReturnType<typeof deferred>[] = [];
  const secondStarted = deferred();
  let started = 0;
  const runner = new CoalescingRunner(
    () => {
      started += 1;
      if (started === 2) secondStarted.resolve();
      const gate = deferred();
      gates.push(gate);
      return gate.promise;
    },
    (err) => {
      throw err;
    },
  );
  runner.request();
  assert.equal(started, 1);
  for (let i = 0; i < 50; i++) runner.request();
  assert.equal(started, 1, "a second round while the first runs");
  gates[0]?.resolve();
  await within(secondStarted.promise, 1_000, "the round after the first");
  assert.equal(started, 2, "the fifty requests made one more round");
  gates[1]?.resolve();
  await runner.idle();
  assert.equal(started, 2);
});

Deno.test("a ticket is spent once, even by two concurrent spends", async () => {
  const { kv, close } = await tempKv();
  try {
    const now = Date.now();
    const spends = await Promise.all(
      Array.from({ length: 8 }, () => spendTicket(kv, "ticket-1", now + 60_000, now)),
    );
    assert.equal(spends.filter(Boolean).length, 1);
    assert.equal(await spendTicket(kv, "ticket-1", now + 60_000, now), false);
    assert.equal(await spendTicket(kv, "ticket-2", now + 60_000, now), true);
  } finally {
    await close();
  }
});

/** The rooms served on a local port, the way the route hands them an upgrade. */
async function servedRooms(kv: Deno.Kv) {
  const rooms = denoLiveRooms(kv);
  const admissions = new Map<string, LiveAdmission>();
  const results: OpenResult[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const admission = admissions.get(new URL(req.url).searchParams.get("a") ?? "");
    if (!admission) return new Response(null, { status: 400 });
    const result = await rooms.open(req, admission);
    results.push(result);
    return result.kind === "opened" ? result.response : Response.json(result, { status: 409 });
  });
  let next = 0;
  const sockets: WebSocket[] = [];
  return {
    results,
    /** Opens a socket; answers its first message (the hello) or the refusal. */
    async connect(admission: LiveAdmission) {
      const key = String(next++);
      admissions.set(key, admission);
      const url = `ws://127.0.0.1:${server.addr.port}/?a=${key}`;
      const ws = new WebSocket(url);
      sockets.push(ws);
      const messages: string[] = [];
      const closed = new Promise<number>((resolve) => {
        ws.onclose = (e) => resolve(e.code);
      });
      const first = await within(
        new Promise<string | null>((resolve) => {
          ws.onmessage = (e) => {
            messages.push(String(e.data));
            resolve(String(e.data));
          };
          ws.onerror = () => resolve(null);
        }),
        5_000,
        "the hello or the refusal",
      );
      return { ws, first, messages, closed, result: results[results.length - 1] };
    },
    async stop() {
      for (const ws of sockets) ws.close();
      await server.shutdown();
    },
  };
}

function admission(trialId: string, member: LiveAdmission["member"] = null): LiveAdmission {
  return { trialId, trial: { id: trialId }, member, maxWatchers: 3 };
}

const ticketOf = (userId: string, ticketId: string) => ({
  userId,
  ticketId,
  expiresAt: Date.now() + 60_000,
});

/**
 * A test with rooms served on the loopback over a fresh KV, both torn down after it. The
 * rooms' timers (the poll, the counts pacer) end a moment after the last socket, hence no
 * op or resource sanitizer.
 */
function roomTest(
  name: string,
  fn: (ctx: { kv: Deno.Kv; served: Awaited<ReturnType<typeof servedRooms>> }) => Promise<void>,
): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const { kv, close } = await tempKv();
      const served = await servedRooms(kv);
      try {
        await fn({ kv, served });
      } finally {
        await served.stop();
        await close();
      }
    },
  });
}

roomTest(
  "the rooms refuse as the Durable Object does, and welcome with the member's own application",
  async ({ kv, served }) => {
    const terms = openTerms(5, 0);
    await kvTrialGates(kv).get(terms.trialId).configure(terms);
    await applyOne(kvTrialGates(kv).get(terms.trialId), "member-1");

    const unknown = await served.connect(admission(crypto.randomUUID()));
    assert.equal(unknown.first, null);
    assert.deepEqual(unknown.result, { kind: "refused", code: "TRIAL_NOT_FOUND" });

    const mine = await served.connect(admission(terms.trialId, ticketOf("member-1", "t-1")));
    const hello = JSON.parse(mine.first ?? "null");
    assert.equal(hello.type, "hello");
    assert.equal(hello.application.userId, "member-1");
    assert.equal(hello.trial.applicants, 1);

    const reused = await served.connect(admission(terms.trialId, ticketOf("member-1", "t-1")));
    assert.deepEqual(reused.result, { kind: "refused", code: "INVALID_LIVE_TICKET" });

    await served.connect(admission(terms.trialId));
    await served.connect(admission(terms.trialId));
    const full = await served.connect(admission(terms.trialId));
    assert.deepEqual(full.result, {
      kind: "refused",
      code: "LIVE_ROOM_FULL",
      retryAfterSeconds: 5,
    });
  },
);

roomTest(
  "a member holds at most five sockets on a trial in one isolate",
  async ({ kv, served }) => {
    const terms = openTerms(5, 0);
    await kvTrialGates(kv).get(terms.trialId).configure(terms);
    const roomy = (ticketId: string) => ({
      ...admission(terms.trialId, ticketOf("member-1", ticketId)),
      maxWatchers: 100,
    });
    for (let i = 0; i < 5; i++) {
      assert.equal((await served.connect(roomy(`t-${i}`))).result?.kind, "opened");
    }
    const sixth = await served.connect(roomy("t-5"));
    assert.deepEqual(sixth.result, {
      kind: "refused",
      code: "RATE_LIMITED",
      retryAfterSeconds: 60,
    });
  },
);

roomTest(
  "a ping gets its pong, and a client that floods is closed with 1008",
  async ({ kv, served }) => {
    const terms = openTerms(5, 0);
    await kvTrialGates(kv).get(terms.trialId).configure(terms);
    const socket = await served.connect(admission(terms.trialId));
    const pong = new Promise<string>((resolve) => {
      socket.ws.onmessage = (e) => resolve(String(e.data));
    });
    socket.ws.send(PING);
    assert.equal(await within(pong, 5_000, "the pong"), PONG);
    for (let i = 0; i < FLOOD_LIMIT.messages; i++) socket.ws.send("hello?");
    assert.equal(await within(socket.closed, 5_000, "the close of a flooding client"), 1008);
  },
);

roomTest(
  "the room announces an opening by the clock, with no decision written to KV",
  async ({ kv, served }) => {
    const terms = { ...openTerms(5, 0), opensAt: Date.now() + 300 };
    await kvTrialGates(kv).get(terms.trialId).configure(terms);
    const socket = await served.connect(admission(terms.trialId));
    assert.equal(JSON.parse(socket.first ?? "null").trial.status, "SCHEDULED");
    const opened = new Promise<{ type: string; status: string }>((resolve) => {
      socket.ws.onmessage = (e) => {
        const message = JSON.parse(String(e.data));
        if (message.type === "status") resolve(message);
      };
    });
    assert.equal((await within(opened, 5_000, "the OPEN status")).status, "OPEN");
  },
);
