import { describe, expect, it } from "vitest";
import { admit, newGateState } from "../../core/first-come/decide";
import { type BatchRequest, decideBatch } from "../../core/first-come/decide-batch";
import type { Application, ApplyResult, GateState } from "../../core/first-come/types";

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const terms = { trialId: "t", slots: 2, waitlistSize: 2, opensAt: T0, closesAt: T0 + 3_600_000 };
const request = (userId: string, note: string | null = null): BatchRequest => ({
  userId,
  note,
  applicationId: `app-${userId}-${Math.random()}`,
});
const summary = (r: ApplyResult) =>
  r.kind === "refused"
    ? r.code
    : `${r.kind}:${r.application.userId}:${r.application.seq}:${r.application.status}`;

/** The reference: the same requests decided one at a time, as the gate did before batches. */
function oneAtATime(state: GateState, requests: BatchRequest[], held: Map<string, Application>) {
  const results: ApplyResult[] = [];
  for (const r of requests) {
    const mine = held.get(r.userId);
    if (mine) {
      results.push({ kind: "existing", application: mine });
      continue;
    }
    const d = admit(state, { ...r, now: T0 + 5 });
    state = d.next;
    if (d.kind === "refused") results.push({ kind: "refused", code: d.code });
    else {
      held.set(r.userId, d.application);
      results.push({ kind: "created", application: d.application });
    }
  }
  return { state, results };
}

describe("decideBatch", () => {
  it("mixes new members, a repeat from the ledger, a member twice in the batch and a refusal", () => {
    const before = decideBatch(newGateState(terms), [request("old")], new Map(), T0 + 1);
    const old = before.admitted[0] as Application;
    const batch = [request("a"), request("old"), request("b"), request("a"), request("c")];
    const d = decideBatch(before.next, batch, new Map([["old", old]]), T0 + 5);

    expect(d.results.map(summary)).toEqual([
      "created:a:2:WON",
      "existing:old:1:WON",
      "created:b:3:WAITLISTED",
      "existing:a:2:WON",
      "created:c:4:WAITLISTED",
    ]);
    // The member named twice gets the very application of their first request.
    expect(d.results[3]).toEqual({ kind: "existing", application: d.admitted[0] });
    expect(d.admitted.map((a) => a.userId)).toEqual(["a", "b", "c"]);
    expect(d.next).toMatchObject({ won: 2, waitlisted: 2, nextSeq: 5, filledAt: T0 + 5 });

    // The trial is now full: a newcomer is refused and counted, a holder still gets theirs.
    const b = d.admitted[1] as Application;
    const after = decideBatch(d.next, [request("late"), request("b")], new Map([["b", b]]), T0 + 6);
    expect(after.results.map(summary)).toEqual(["TRIAL_CLOSED", "existing:b:3:WAITLISTED"]);
    expect(after.next.rejected).toBe(1);
  });

  it("counts refusals inside a batch exactly as one at a time would", () => {
    const full = decideBatch(
      newGateState(terms),
      ["a", "b", "c", "d"].map((u) => request(u)),
      new Map(),
      T0 + 1,
    );
    const d = decideBatch(full.next, [request("x"), request("y"), request("x")], new Map(), T0 + 2);
    expect(d.results.map(summary)).toEqual(["TRIAL_CLOSED", "TRIAL_CLOSED", "TRIAL_CLOSED"]);
    expect(d.admitted).toEqual([]);
    expect(d.next.rejected).toBe(3);
  });

  it("gives a batch straddling the last place and the last waitlist place to the earliest", () => {
    const start = decideBatch(newGateState(terms), [request("first")], new Map(), T0 + 1).next;
    const batch = ["p", "q", "r", "s", "t"].map((u) => request(u));
    const d = decideBatch(start, batch, new Map(), T0 + 5);
    expect(d.results.map(summary)).toEqual([
      "created:p:2:WON", // the last place
      "created:q:3:WAITLISTED",
      "created:r:4:WAITLISTED", // the last waitlist place
      "TRIAL_CLOSED",
      "TRIAL_CLOSED",
    ]);
    expect(d.admitted.map((a) => a.position)).toEqual([null, 1, 2]);
    expect(d.next).toMatchObject({ won: 2, waitlisted: 2, rejected: 2, filledAt: T0 + 5 });
  });

  it("refuses a whole batch alike before the opening and after a cancellation", () => {
    const scheduled = decideBatch(newGateState(terms), [request("a")], new Map(), T0 - 1);
    expect(scheduled.results.map(summary)).toEqual(["TRIAL_NOT_OPEN"]);
    const cancelled = { ...newGateState(terms), cancelledAt: T0 + 1 };
    const d = decideBatch(cancelled, [request("a"), request("b")], new Map(), T0 + 2);
    expect(d.results.map(summary)).toEqual(["TRIAL_CANCELLED", "TRIAL_CANCELLED"]);
    expect(d.next).toBe(cancelled);
  });

  it("decides any batch exactly as the same requests one at a time", () => {
    for (let round = 0; round < 200; round++) {
      const users = Array.from({ length: 1 + Math.floor(Math.random() * 12) }, () =>
        String.fromCharCode(97 + Math.floor(Math.random() * 8)),
      );
      const batch = users.map((u) => request(u));
      const prior = decideBatch(newGateState(terms), [request("z")], new Map(), T0 + 1);
      const held = new Map(prior.admitted.map((a) => [a.userId, a] as const));
      const reference = oneAtATime(prior.next, batch, new Map(held));
      const d = decideBatch(prior.next, batch, held, T0 + 5);
      expect(d.results).toEqual(reference.results);
      expect(d.next).toEqual(reference.state);
    }
  });
});
