import assert from "node:assert/strict";
import type { GateEvent } from "../../core/first-come/types.ts";
import { fanOutCancellation, pendingFanOuts } from "../cancel-fanout.ts";
import { gateKeys } from "../keys.ts";
import { kvTrialGates } from "../kv-gate.ts";
import { applyOne, openTerms, tempKv } from "./helpers.ts";

/** Every TRIAL_CANCELLED event in the trial's outbox, as userIds. */
async function toldUsers(kv: Deno.Kv, trialId: string): Promise<string[]> {
  const users: string[] = [];
  for await (const e of kv.list<GateEvent>({ prefix: gateKeys.outboxPrefix(trialId) })) {
    const event = e.value;
    if (event.type === "application" && event.outcome === "TRIAL_CANCELLED") {
      users.push(event.application.userId);
    }
  }
  return users.sort();
}

/** A trial with `won` WON and `waiting` WAITLISTED holders, applied one after another. */
async function trialWithHolders(kv: Deno.Kv, won: number, waiting: number) {
  const terms = openTerms(won, waiting);
  const gate = kvTrialGates(kv).get(terms.trialId);
  await gate.configure(terms);
  const users = Array.from({ length: won + waiting }, (_, i) => `m-${String(i).padStart(5, "0")}`);
  for (let i = 0; i < users.length; i += 50) {
    await Promise.all(users.slice(i, i + 50).map((u) => applyOne(gate, u)));
  }
  return { gate, trialId: terms.trialId, users };
}

Deno.test("cancelling a trial with 1500 holders tells every one of them (past KV's 1000-mutation commit limit)", async () => {
  const { kv, close } = await tempKv();
  try {
    const { gate, trialId, users } = await trialWithHolders(kv, 1200, 300);
    const result = await gate.cancel();
    assert.ok(result.kind === "cancelled");
    assert.equal(result.notified, 1500);
    assert.equal(result.snapshot.status, "CANCELLED");
    assert.deepEqual(await toldUsers(kv, trialId), users);
    assert.deepEqual(await pendingFanOuts(kv), []);
    // A second cancel is a no-op: nobody is told twice.
    const again = await gate.cancel();
    assert.ok(again.kind === "cancelled" && again.notified === 0);
    assert.equal((await toldUsers(kv, trialId)).length, 1500);
  } finally {
    await close();
  }
});

Deno.test("a fan-out cut short resumes from its cursor and tells only the rest", async () => {
  const { kv, close } = await tempKv();
  try {
    const { gate, trialId, users } = await trialWithHolders(kv, 500, 0);
    assert.equal((await gate.cancel()).kind, "cancelled");
    // Rewind to "seqs 1..300 told, then the isolate died": drop the events of 301..500.
    for await (const e of kv.list<GateEvent>({ prefix: gateKeys.outboxPrefix(trialId) })) {
      if (e.value.type === "application" && e.value.application.seq > 300) await kv.delete(e.key);
    }
    await kv.set(gateKeys.cancelFanout(trialId), { afterSeq: 300 });
    assert.deepEqual(await pendingFanOuts(kv), [trialId]);

    assert.equal(await fanOutCancellation(kv, trialId), 200);
    assert.deepEqual(await toldUsers(kv, trialId), users);
    assert.deepEqual(await pendingFanOuts(kv), []);
  } finally {
    await close();
  }
});
