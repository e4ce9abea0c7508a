import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { GateEvent } from "../../core/first-come/types";
import type { DecisionQueue } from "../../core/ports/decision-queue";
import { cloudflareDecisionQueue } from "../../durable-objects/trial-gate/decision-queue";
import { GATE_SCHEMA_VERSION } from "../../durable-objects/trial-gate/schema";
import { chainProblems, ledgerProblems } from "../support/shared/fill-log-checks";
import { waitFor } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { gateOf, rowsOf, setQueue } from "../support/workerd/gate";
import { api } from "../support/workerd/http";

const failingQueue: DecisionQueue = {
  sendBatch: async () => {
    throw new Error("queue unavailable (simulated)");
  },
};

/** A send that never completes: the object is caught with its outbox mid-flight. */
function hangingQueue(seen: GateEvent[][]): DecisionQueue {
  return {
    sendBatch: (events) => {
      seen.push(events);
      return new Promise(() => {});
    },
  };
}

async function applyAll(trialId: string, tokens: string[]) {
  const out = [];
  for (const token of tokens) {
    const res = await api("POST", `/v1/trials/${trialId}/applications`, { token, body: {} });
    expect(res.status).toBe(201);
    out.push(res.body);
  }
  return out;
}

describe("TrialGate durability", () => {
  it("keeps every decision and outbox row when the object is aborted mid-flush", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2, waitlistSize: 3 });
    const members = await createUsers("MEMBER", 4);
    const seen: GateEvent[][] = [];
    await setQueue(trial.id, hangingQueue(seen));

    const before = await applyAll(
      trial.id,
      members.slice(0, 3).map((m) => m.token),
    );
    expect(seen.length).toBeGreaterThan(0); // a send was in flight
    expect(await gateOf(trial.id).pendingOutbox()).toBe(3);

    // Abort: the in-memory object is thrown away, as on eviction or a crash.
    await expect(
      runInDurableObject(gateOf(trial.id), (_gate, state) => state.abort("simulated crash")),
    ).rejects.toThrow();

    // A new instance rebuilds everything from its storage.
    const gate = gateOf(trial.id);
    expect(await gate.snapshot()).toMatchObject({ won: 2, waitlisted: 1, applicants: 3 });
    const kept = await gate.findApplication(members[2]!.id);
    expect(kept).toMatchObject({ id: before[2].id, seq: 3, status: "WAITLISTED", position: 1 });
    expect(await gate.pendingOutbox()).toBe(3);
    // The public fill log was in the same transactions: an entry per stored decision, and
    // nothing else, chained.
    const logged = await gate.log(0, 100);
    expect(logged.map((e) => [e.kind, e.applicationId])).toEqual(
      before.map((a) => ["APPLIED", a.id]),
    );
    expect(chainProblems(logged)).toEqual([]);
    expect(ledgerProblems(logged, await gate.ledger(0, 100))).toEqual([]);

    // The alarm armed with the decisions delivers them through the real queue.
    expect(await runDurableObjectAlarm(gate)).toBe(true);
    expect(await gate.pendingOutbox()).toBe(0);
    const rows = await waitFor(async () => {
      const r = await rowsOf(trial.id);
      return r.length === 3 ? r : undefined;
    });
    expect(rows.map((r) => [r.id, r.seq])).toEqual(before.map((a) => [a.id, a.seq]));

    // And the order continues gapless after the restart.
    const [next] = await applyAll(trial.id, [members[3]!.token]);
    expect(next).toMatchObject({ seq: 4, status: "WAITLISTED", position: 2 });
    const chained = await gate.log(0, 100);
    expect(chained.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(chainProblems(chained)).toEqual([]);
  });

  it("answers the member even when the queue is down, and the alarm retries the send", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 5 });
    const members = await createUsers("MEMBER", 2);
    await setQueue(trial.id, failingQueue);

    const decided = await applyAll(
      trial.id,
      members.map((m) => m.token),
    );
    const gate = gateOf(trial.id);
    expect(await gate.pendingOutbox()).toBe(2);
    // Still failing: the alarm runs, keeps the rows and re-arms itself.
    expect(await runDurableObjectAlarm(gate)).toBe(true);
    expect(await gate.pendingOutbox()).toBe(2);
    expect(await runInDurableObject(gate, (_g, state) => state.storage.getAlarm())).not.toBeNull();

    await setQueue(trial.id, cloudflareDecisionQueue(env.DECISIONS_QUEUE));
    expect(await runDurableObjectAlarm(gate)).toBe(true);
    expect(await gate.pendingOutbox()).toBe(0);
    const rows = await waitFor(async () => {
      const r = await rowsOf(trial.id);
      return r.length === 2 ? r : undefined;
    });
    expect(rows.map((r) => r.id).sort()).toEqual(decided.map((a) => a.id).sort());
  });

  it("upgrades its schema in place and refuses new terms once someone applied", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const [member] = await createUsers("MEMBER", 1);
    await applyAll(trial.id, [member!.token]);
    const gate = gateOf(trial.id);
    const version = await runInDurableObject(
      gate,
      (_g, state) =>
        state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_meta").one()
          .version,
    );
    expect(version).toBe(GATE_SCHEMA_VERSION);
    expect(GATE_SCHEMA_VERSION).toBe(8);
    const snapshot = await gate.snapshot();
    const result = await gate.configure({
      trialId: trial.id,
      slots: 99,
      waitlistSize: 0,
      opensAt: snapshot!.opensAt,
      closesAt: snapshot!.closesAt,
    });
    expect(result).toEqual({ kind: "refused", code: "TRIAL_ALREADY_OPEN" });
    expect((await gate.snapshot())?.slots).toBe(1);
  });
});
