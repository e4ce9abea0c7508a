import assert from "node:assert/strict";
import type { GateEvent } from "../../core/first-come/types.ts";
import { DeadlineTimers } from "../deadline-timers.ts";
import { gateKeys } from "../keys.ts";
import { deadlinesDue } from "../kv-confirmations.ts";
import { kvTrialGates } from "../kv-gate.ts";
import { createdApplications, openTerms, storedLedger, tempKv } from "./helpers.ts";

/**
 * The confirmation window on Deno KV, on a real clock with windows of about a second (the
 * HTTP API allows whole minutes; the gate takes any number). KV has no alarm: the process's
 * deadline timers release on time, and the minute cron's list finds deadlines nobody timed.
 */

const WINDOW_MINUTES = 0.02; // 1.2 s
const SEALED = { keyId: "k1", sealed: "c2VhbGVkLWFkZHJlc3MtYnl0ZXM=" };

async function outboxEvents(kv: Deno.Kv, trialId: string): Promise<GateEvent[]> {
  const events: GateEvent[] = [];
  for await (const e of kv.list<GateEvent>({ prefix: gateKeys.outboxPrefix(trialId) })) {
    events.push(e.value);
  }
  return events;
}

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const until = Date.now() + 15_000;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("the deadline timer releases an unconfirmed winner and promotes the waitlist head with a window of its own", async () => {
  const { kv, close } = await tempKv();
  const timers = new DeadlineTimers();
  try {
    const gates = kvTrialGates(kv, { onDeadline: (trialId, at) => timers.arm(trialId, at) });
    timers.attach(gates);
    const terms = { ...openTerms(1, 2), confirmWithinMinutes: WINDOW_MINUTES };
    const gate = gates.get(terms.trialId);
    await gate.configure(terms);
    const [first] = createdApplications(
      await gate.applyMany(["a", "b", "c"].map((userId) => ({ userId, note: null }))),
    );
    assert.equal(first?.status, "WON");
    const deadline = first?.confirmBy as number;
    assert.ok(deadline > Date.now());

    const ledger = await waitFor(
      () => storedLedger(kv, terms.trialId),
      (l) => l[1]?.status === "CANCELLED",
    );
    assert.deepEqual(
      ledger.map((a) => [a.userId, a.status, a.cancelledReason ?? null]),
      [
        ["a", "CANCELLED", "NOT_CONFIRMED"],
        ["b", "CANCELLED", "NOT_CONFIRMED"],
        ["c", "WON", null],
      ],
    );
    const promoted = ledger[2];
    assert.ok(
      (promoted?.confirmBy as number) > deadline + 1_000,
      "c's window counts from its promotion",
    );
    const told = (await outboxEvents(kv, terms.trialId)).flatMap((e) =>
      e.type === "application" ? [`${e.application.userId}:${e.outcome}`] : [],
    );
    for (const want of ["a:CANCELLED", "b:PROMOTED", "b:CANCELLED", "c:PROMOTED"]) {
      assert.ok(told.includes(want), `${want} in ${told.join(", ")}`);
    }
  } finally {
    timers.clear();
    await close();
  }
});

Deno.test("a confirmation in time travels with its sealed address, once; a deadline nobody timed is on the cron's list", async () => {
  const { kv, close } = await tempKv();
  try {
    // No timers at all: as after a restart.
    const gates = kvTrialGates(kv);
    const terms = { ...openTerms(1, 1), confirmWithinMinutes: WINDOW_MINUTES };
    const gate = gates.get(terms.trialId);
    await gate.configure(terms);
    await gate.applyMany(["a", "b"].map((userId) => ({ userId, note: null })));
    assert.deepEqual(await gate.confirm("b", SEALED), { kind: "refused", code: "NOT_A_WINNER" });
    const confirmed = await gate.confirm("a", SEALED);
    assert.equal(confirmed.kind, "confirmed");
    assert.deepEqual(await gate.confirm("a", SEALED), {
      kind: "refused",
      code: "ALREADY_CONFIRMED",
    });
    const confirmations = (await outboxEvents(kv, terms.trialId)).filter(
      (e) => e.type === "confirmation",
    );
    assert.equal(confirmations.length, 1);
    assert.deepEqual(confirmations[0]?.type === "confirmation" && confirmations[0].address, SEALED);

    // A second trial whose winner never confirms, with nobody timing it.
    const other = { ...openTerms(1, 1), confirmWithinMinutes: WINDOW_MINUTES };
    const otherGate = gates.get(other.trialId);
    await otherGate.configure(other);
    const [x] = createdApplications(
      await otherGate.applyMany(["x", "y"].map((userId) => ({ userId, note: null }))),
    );
    const deadline = x?.confirmBy as number;
    await new Promise((r) => setTimeout(r, Math.max(0, deadline + 1 - Date.now())));
    assert.deepEqual(await otherGate.confirm("x", SEALED), {
      kind: "refused",
      code: "CONFIRMATION_CLOSED",
    });
    // The list is a hint (at or before each trial's earliest deadline): both trials are on it,
    // and a release pass over the confirmed one finds nothing and takes it off.
    const due = (await deadlinesDue(kv, Date.now())).map((d) => d.trialId).sort();
    assert.deepEqual(due, [terms.trialId, other.trialId].sort());
    assert.equal(await gate.releaseOverdue(), 0);
    assert.deepEqual(
      (await deadlinesDue(kv, Date.now())).map((d) => d.trialId),
      [other.trialId],
    );
    assert.equal(await otherGate.releaseOverdue(), 1);
    assert.equal(await otherGate.releaseOverdue(), 0);
    const ledger = await storedLedger(kv, other.trialId);
    assert.deepEqual(
      ledger.map((a) => a.status),
      ["CANCELLED", "WON"],
    );
    // y's own deadline now leads the list's hint.
    const [hint] = await deadlinesDue(kv, Number.MAX_SAFE_INTEGER);
    assert.equal(hint?.at, ledger[1]?.confirmBy);
  } finally {
    await close();
  }
});
