import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ApplyResult, GateEvent } from "../../core/first-come/types";
import { durableObjectGates } from "../../workers/adapters/cloudflare/gates";
import { applyToTrial } from "../../workers/services/applications";
import { testConfig } from "../support/workerd/db";
import { gateOf, recordingQueue, setQueue } from "../support/workerd/gate";

const hour = 3_600_000;

/** A gate with no catalog row, its events kept by the test (nothing reaches Postgres). */
async function openGate(slots: number, waitlistSize: number) {
  const trialId = crypto.randomUUID();
  const gate = gateOf(trialId);
  const now = Date.now();
  await gate.configure({ trialId, slots, waitlistSize, opensAt: now - 1000, closesAt: now + hour });
  const events: GateEvent[] = [];
  await setQueue(trialId, recordingQueue(events));
  return { trialId, gate, events };
}

const req = (userId: string) => ({ userId, note: null });
const summary = (r: ApplyResult) =>
  r.kind === "refused"
    ? r.code
    : `${r.kind}:${r.application.userId}:${r.application.seq}:${r.application.status}`;

describe("TrialGate.applyMany (group commit on the Durable Object)", () => {
  it("decides a batch of new members, repeats (one twice in the batch) and refusals", async () => {
    const { gate, events } = await openGate(2, 1);
    expect((await gate.applyMany([req("old")])).map(summary)).toEqual(["created:old:1:WON"]);

    const results = await gate.applyMany(["a", "old", "b", "a", "late", "old"].map((u) => req(u)));
    expect(results.map(summary)).toEqual([
      "created:a:2:WON",
      "existing:old:1:WON",
      "created:b:3:WAITLISTED",
      "existing:a:2:WON",
      "TRIAL_CLOSED",
      "existing:old:1:WON",
    ]);
    const [a, , , aAgain] = results;
    expect(aAgain).toEqual({
      kind: "existing",
      application: (a as { application: unknown }).application,
    });
    expect(await gate.snapshot()).toMatchObject({
      won: 2,
      waitlisted: 1,
      applicants: 3,
      rejected: 1,
    });

    // Stored, not just answered: each member finds their application, once.
    expect(await gate.findApplication("b")).toMatchObject({ seq: 3, position: 1 });
    expect((await gate.ledger(0, 10)).map((x) => x.userId)).toEqual(["old", "a", "b"]);
    await gate.flushOutbox();
    const decided = events.flatMap((e) => (e.type === "application" ? [e.application.userId] : []));
    expect(decided).toEqual(["old", "a", "b"]);
  });

  it("gives a batch straddling the last place and the last waitlist place to the earliest, FULL once", async () => {
    const { gate, events } = await openGate(3, 2);
    await gate.applyMany([req("first"), req("second")]);
    const results = await gate.applyMany(["p", "q", "r", "s", "t"].map((u) => req(u)));
    expect(results.map(summary)).toEqual([
      "created:p:3:WON", // the last place
      "created:q:4:WAITLISTED",
      "created:r:5:WAITLISTED", // the last waitlist place
      "TRIAL_CLOSED",
      "TRIAL_CLOSED",
    ]);
    expect(await gate.snapshot()).toMatchObject({
      status: "CLOSED",
      closedReason: "FULL",
      won: 3,
      waitlisted: 2,
      rejected: 2,
    });
    await gate.flushOutbox();
    const statuses = events.flatMap((e) => (e.type === "trial-status" ? [e.closedReason] : []));
    expect(statuses).toEqual(["FULL"]);
    // The status event follows the applications that caused it.
    expect(events.at(-1)?.type).toBe("trial-status");
  });

  it("stores nothing and answers nobody when the batch's transaction fails midway", async () => {
    const { trialId, gate } = await openGate(5, 5);
    const batch = ["a", "b", "c", "d"].map((u) => req(u));
    // Inside the object, so the failure is the call's own and not an RPC error.
    await runInDurableObject(gateOf(trialId), async (instance) => {
      const outbox = (instance as unknown as { outbox: { append: (...a: unknown[]) => void } })
        .outbox;
      const append = outbox.append;
      let calls = 0;
      outbox.append = (...args: unknown[]) => {
        calls += 1;
        // The third application's event: two applications are already written in SQLite.
        if (calls === 3) throw new Error("disk full (simulated)");
        append.apply(outbox, args);
      };
      await expect(instance.applyMany(batch)).rejects.toThrow("disk full");
      outbox.append = append;
    });

    // Nothing of the batch exists, in storage or in the object's memory.
    expect(await gate.snapshot()).toMatchObject({ won: 0, waitlisted: 0, applicants: 0 });
    for (const u of ["a", "b", "c", "d"]) expect(await gate.findApplication(u)).toBeNull();
    expect(await gate.pendingOutbox()).toBe(0);

    // A fresh instance (as after a crash) decides the retried batch from seq 1, gapless.
    await expect(
      runInDurableObject(gateOf(trialId), (_i, state) => state.abort("simulated crash")),
    ).rejects.toThrow();
    const again = await gateOf(trialId).applyMany(batch);
    expect(again.map(summary)).toEqual([
      "created:a:1:WON",
      "created:b:2:WON",
      "created:c:3:WON",
      "created:d:4:WON",
    ]);
  });

  it("keeps arrival order inside one isolate: an earlier arrival gets a lower seq", async () => {
    const { trialId } = await openGate(40, 40);
    const config = { ...testConfig(), gate: { ...testConfig().gate, batching: true } };
    const kept: Promise<unknown>[] = [];
    const deps = {
      gates: durableObjectGates(env.TRIAL_GATE),
      config,
      waitUntil: (p: Promise<unknown>) => void kept.push(p),
    };
    const members = Array.from({ length: 80 }, (_, i) => `member-${i}`);
    // All in flight at once, started in this order.
    const answers = await Promise.all(members.map((m) => applyToTrial(deps, trialId, m, null)));
    expect(answers.map((a) => a.application.seq)).toEqual(members.map((_, i) => i + 1));
    expect(answers.filter((a) => a.application.status === "WON")).toHaveLength(40);
    // Batched: far fewer gate calls than applications.
    const calls = answers.reduce((sum, a) => sum + 1 / a.batchSize, 0);
    expect(Math.round(calls)).toBeLessThan(10);
    await Promise.all(kept);
  });
});
