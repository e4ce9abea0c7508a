import { runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LiveMessage } from "../../core/live-room/messages";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { gateOf } from "../support/workerd/gate";
import { api } from "../support/workerd/http";

/** A socket opened through the real Worker entry, keeping what it is told. */
async function watch(trialId: string, ticket?: string) {
  const query = ticket ? `?ticket=${encodeURIComponent(ticket)}` : "";
  const res = await exports.default.fetch(
    new Request(`http://tryit.test/v1/trials/${trialId}/live${query}`, {
      headers: { upgrade: "websocket" },
    }),
  );
  expect(res.status).toBe(101);
  const ws = res.webSocket;
  if (!ws) throw new Error("no socket in the 101 answer");
  const messages: LiveMessage[] = [];
  ws.addEventListener("message", (e) => messages.push(JSON.parse(String(e.data))));
  ws.accept();
  return {
    messages,
    next: (match: (m: LiveMessage) => boolean, what: string) =>
      waitForMessage(messages, match, what),
  };
}

async function waitForMessage(
  messages: LiveMessage[],
  match: (m: LiveMessage) => boolean,
  what: string,
): Promise<LiveMessage> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const found = messages.find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${what} within 5 s; got ${JSON.stringify(messages.map((m) => m.type))}`);
}

async function ticketFor(trialId: string, token: string): Promise<string> {
  const res = await api("POST", `/v1/trials/${trialId}/live-tickets`, { token });
  expect(res.status).toBe(201);
  return res.body.ticket;
}

/** A marker on the object's instance in memory: gone once the instance is replaced. */
const MARK = Symbol.for("tryit.test.instance-mark");

describe("the live room inside the trial's Durable Object", () => {
  it("keeps its sockets and who they belong to when the object is evicted", {
    timeout: 30_000,
  }, async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 2 });
    const [first, second] = await createUsers("MEMBER", 2);
    if (!first || !second) throw new Error("two members expected");

    const watcher = await watch(trial.id);
    const member = await watch(trial.id, await ticketFor(trial.id, second.token));
    await watcher.next((m) => m.type === "hello", "hello");
    await member.next((m) => m.type === "hello", "hello");

    await runInDurableObject(gateOf(trial.id), (gate) => {
      (gate as unknown as Record<symbol, boolean>)[MARK] = true;
    });
    // Idle: workerd evicts an object after 10 s without work, as Cloudflare does; its
    // hibernatable sockets stay open, held by the runtime.
    await new Promise((r) => setTimeout(r, 12_000));
    const fresh = await runInDurableObject(gateOf(trial.id), (gate, state) => ({
      marked: (gate as unknown as Record<symbol, boolean>)[MARK] === true,
      sockets: state.getWebSockets().length,
    }));
    expect(fresh).toEqual({ marked: false, sockets: 2 });

    // The next decisions reach them: counts for everyone, and the member's own application,
    // which only the socket's tag and attachment can route to it.
    expect(
      (await api("POST", `/v1/trials/${trial.id}/applications`, { token: first.token, body: {} }))
        .status,
    ).toBe(201);
    const applied = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: second.token,
      body: {},
    });
    expect(applied.body).toMatchObject({ status: "WAITLISTED", position: 1 });
    await watcher.next((m) => m.type === "counts" && m.applicants === 2, "counts of 2");
    const own = await member.next((m) => m.type === "application", "the member's application");
    // The room shows the Application; the apply answer adds the member's receipt to it.
    const { receipt: _receipt, ...application } = applied.body;
    expect(own).toEqual({ type: "application", application });
    expect(watcher.messages.some((m) => m.type === "application")).toBe(false);
  });
});
