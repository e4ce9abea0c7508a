import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { LiveMessage } from "../../core/live-room/messages";
import { api, baseUrls } from "../support/contract/client";
import { createTrial, createUser, createUsers } from "../support/contract/fixtures";

/**
 * Deno only: the two server processes share one KV file and nothing else. A decision taken
 * in one reaches sockets held by the other through its room's subscription to the gate's
 * state, and a ticket spent in one is spent for both.
 */

const [SERVER_A, SERVER_B] = [0, 1];
const WAIT_MS = 5_000;

interface Watcher {
  messages: LiveMessage[];
  next<T extends LiveMessage["type"]>(
    type: T,
    match?: (m: Extract<LiveMessage, { type: T }>) => boolean,
  ): Promise<Extract<LiveMessage, { type: T }>>;
  close(): void;
}

const open: WebSocket[] = [];
afterEach(() => {
  for (const ws of open.splice(0)) ws.terminate();
});

function liveUrl(server: number, trialId: string, ticket?: string): string {
  const base = baseUrls[server % baseUrls.length] as string;
  const url = new URL(`/v1/trials/${trialId}/live`, base.replace(/^http/, "ws"));
  if (ticket) url.searchParams.set("ticket", ticket);
  return url.toString();
}

/** Opens a socket on one server process; rejects with the HTTP status if refused. */
function connect(server: number, trialId: string, ticket?: string): Promise<Watcher> {
  const ws = new WebSocket(liveUrl(server, trialId, ticket));
  open.push(ws);
  const messages: LiveMessage[] = [];
  const listeners = new Set<() => void>();
  ws.on("message", (data) => {
    messages.push(JSON.parse(String(data)));
    for (const listener of listeners) listener();
  });
  const next: Watcher["next"] = (type, match = () => true) =>
    new Promise((resolve, reject) => {
      const find = () =>
        messages.find((m) => m.type === type && match(m as never)) as
          | Extract<LiveMessage, { type: typeof type }>
          | undefined;
      const check = () => {
        const found = find();
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`no matching ${type} within ${WAIT_MS} ms; got ${JSON.stringify(messages)}`),
        );
      }, WAIT_MS);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ messages, next, close: () => ws.close() }));
    ws.once("unexpected-response", (_req, res) => {
      reject(
        Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }),
      );
    });
    ws.once("error", reject);
  });
}

async function ticketFor(trialId: string, token: string, server: number): Promise<string> {
  const res = await api("POST", `/v1/trials/${trialId}/live-tickets`, { token, server });
  expect(res.status).toBe(201);
  return res.body.ticket as string;
}

describe("the live room across two Deno processes", () => {
  it("brings a decision taken in one process to the watchers and the member on the other", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 0 });
    const member = await createUser("MEMBER");

    const watcher = await connect(SERVER_B, trial.id);
    const mine = await connect(
      SERVER_B,
      trial.id,
      await ticketFor(trial.id, member.token, SERVER_B),
    );
    const hello = await mine.next("hello");
    expect(hello.application).toBeNull();
    expect(hello.trial).toMatchObject({ id: trial.id, status: "OPEN", applicants: 0 });
    await watcher.next("hello");

    const applied = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: member.token,
      body: {},
      server: SERVER_A,
    });
    expect(applied.status).toBe(201);
    expect(applied.body.status).toBe("WON");

    // The last place taken closes the trial: every socket hears it, the member their result.
    for (const socket of [watcher, mine]) {
      await socket.next("status", (m) => m.status === "CLOSED" && m.closedReason === "FULL");
      const counts = await socket.next("counts", (m) => m.applicants === 1);
      expect(counts).toMatchObject({
        won: 1,
        waitlisted: 0,
        remaining: 0,
        applicants: 1,
        status: "CLOSED",
      });
    }
    const { application } = await mine.next("application");
    expect(application).toMatchObject({ id: applied.body.id, status: "WON", position: null });
    expect(watcher.messages.some((m) => m.type === "application")).toBe(false);
  });

  it("tells a waiting member on one process of their promotion decided on the other", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 1 });
    const [winner, waiting] = await createUsers("MEMBER", 2);
    if (!winner || !waiting) throw new Error("two members expected");
    const apply = (token: string) =>
      api("POST", `/v1/trials/${trial.id}/applications`, { token, body: {}, server: SERVER_A });
    expect((await apply(winner.token)).body.status).toBe("WON");

    const mine = await connect(
      SERVER_B,
      trial.id,
      await ticketFor(trial.id, waiting.token, SERVER_A),
    );
    await mine.next("hello");
    const queued = await apply(waiting.token);
    expect(queued.body).toMatchObject({ status: "WAITLISTED", position: 1 });
    await mine.next("application", (m) => m.application.status === "WAITLISTED");

    const withdrawn = await api("DELETE", `/v1/trials/${trial.id}/applications/me`, {
      token: winner.token,
      server: SERVER_A,
    });
    expect(withdrawn.status).toBe(200);
    const promoted = await mine.next("application", (m) => m.application.status === "WON");
    expect(promoted.application).toMatchObject({ id: queued.body.id, position: null });
    // Exactly one message per change: the decision, then the promotion.
    expect(mine.messages.filter((m) => m.type === "application")).toHaveLength(2);
  });

  it("refuses a ticket on one process once it opened a socket on the other", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    const ticket = await ticketFor(trial.id, member.token, SERVER_A);

    await (await connect(SERVER_B, trial.id, ticket)).next("hello");
    await expect(connect(SERVER_A, trial.id, ticket)).rejects.toMatchObject({ status: 401 });
  });
});
