import { describe, expect, it } from "vitest";
import { buildApplicantFilter } from "../../core/first-come/applicant-filter";
import type { ClosedNotice, TrialGate, TrialGates } from "../../core/ports/trial-gate";
import { forgetClosed, learnClosed, refuseFromNotice } from "../../workers/services/closed-trials";

/** A gate that only answers the two calls the fast path makes, and counts them. */
function fakeGates(notice: ClosedNotice | null) {
  const calls = { closedNotice: 0, countRejected: [] as number[] };
  const gate = {
    closedNotice: async () => {
      calls.closedNotice++;
      return notice;
    },
    countRejected: async (n: number) => {
      calls.countRejected.push(n);
    },
  } as unknown as TrialGate;
  const gates: TrialGates = { get: () => gate };
  const pending: Promise<unknown>[] = [];
  const waitUntil = (p: Promise<unknown>) => void pending.push(p);
  const settle = async () => {
    while (pending.length) await pending.shift();
  };
  return { gates, calls, waitUntil, settle };
}

describe("the post-fill fast path (services/closed-trials)", () => {
  it("refuses newcomers from memory once the notice is learned, and lets applicants through to the gate", async () => {
    const trialId = crypto.randomUUID();
    const winner = crypto.randomUUID();
    const notice: ClosedNotice = {
      code: "TRIAL_CLOSED",
      filter: buildApplicantFilter([winner], 1),
    };
    const { gates, calls, waitUntil, settle } = fakeGates(notice);

    expect(refuseFromNotice(gates, trialId, crypto.randomUUID(), waitUntil)).toBeNull();
    learnClosed(gates, trialId, waitUntil);
    learnClosed(gates, trialId, waitUntil); // coalesced: one fetch at a time
    await settle();
    expect(calls.closedNotice).toBe(1);

    const refusals = Array.from({ length: 5 }, () =>
      refuseFromNotice(gates, trialId, crypto.randomUUID(), waitUntil),
    );
    expect(refusals.every((r) => r?.code === "TRIAL_CLOSED" && r.status === 409)).toBe(true);
    // The member who holds a place is never refused here: the gate answers them (200).
    expect(refuseFromNotice(gates, trialId, winner, waitUntil)).toBeNull();

    // The refused demand reaches the gate, batched, and none of it is lost.
    await settle();
    expect(calls.countRejected.reduce((a, b) => a + b, 0)).toBe(5);
    expect(calls.countRejected.length).toBeLessThan(5);
  });

  it("forgets the notice after a second, and at once when a place is given back here", async () => {
    const trialId = crypto.randomUUID();
    const { gates, waitUntil, settle } = fakeGates({
      code: "TRIAL_CLOSED",
      filter: buildApplicantFilter([], 0),
    });
    learnClosed(gates, trialId, waitUntil);
    await settle();
    const newcomer = crypto.randomUUID();
    expect(refuseFromNotice(gates, trialId, newcomer, waitUntil)).not.toBeNull();
    expect(refuseFromNotice(gates, trialId, newcomer, waitUntil, Date.now() + 1_001)).toBeNull();

    learnClosed(gates, trialId, waitUntil);
    await settle();
    expect(refuseFromNotice(gates, trialId, newcomer, waitUntil)).not.toBeNull();
    forgetClosed(trialId);
    expect(refuseFromNotice(gates, trialId, newcomer, waitUntil)).toBeNull();
    await settle();
  });

  it("a cancelled trial refuses with TRIAL_CANCELLED and counts no demand; an open one teaches nothing", async () => {
    const cancelled = fakeGates({ code: "TRIAL_CANCELLED", filter: buildApplicantFilter([], 0) });
    const trialId = crypto.randomUUID();
    learnClosed(cancelled.gates, trialId, cancelled.waitUntil);
    await cancelled.settle();
    const refusal = refuseFromNotice(
      cancelled.gates,
      trialId,
      crypto.randomUUID(),
      cancelled.waitUntil,
    );
    expect(refusal?.code).toBe("TRIAL_CANCELLED");
    await cancelled.settle();
    expect(cancelled.calls.countRejected).toEqual([]);

    const open = fakeGates(null);
    const openTrial = crypto.randomUUID();
    learnClosed(open.gates, openTrial, open.waitUntil);
    await open.settle();
    expect(refuseFromNotice(open.gates, openTrial, crypto.randomUUID(), open.waitUntil)).toBeNull();
  });
});
