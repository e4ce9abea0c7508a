import { describe, expect, it } from "vitest";
import {
  admit,
  countRejected,
  newcomerRefusal,
  newGateState,
  snapshotOf,
  trialStatus,
} from "../../core/first-come/decide";
import type { GateState } from "../../core/first-come/types";

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const terms = { trialId: "t", slots: 2, waitlistSize: 1, opensAt: T0, closesAt: T0 + 3_600_000 };

function run(state: GateState, users: string[], now = T0 + 1) {
  const results = [];
  for (const userId of users) {
    const d = admit(state, { userId, note: null, now, applicationId: `app-${userId}` });
    state = d.next;
    results.push(d);
  }
  return { state, results };
}

describe("first-come decision", () => {
  it("gives the first `slots` applicants WON, the next ones WAITLISTED with positions", () => {
    const { state, results } = run(newGateState(terms), ["a", "b", "c"]);
    expect(
      results.map((r) =>
        r.kind === "admitted"
          ? [r.application.status, r.application.seq, r.application.position]
          : r.code,
      ),
    ).toEqual([
      ["WON", 1, null],
      ["WON", 2, null],
      ["WAITLISTED", 3, 1],
    ]);
    expect(state).toMatchObject({ won: 2, waitlisted: 1, nextSeq: 4, filledAt: T0 + 1 });
    expect(trialStatus(state, T0 + 2)).toEqual({ status: "CLOSED", closedReason: "FULL" });
  });

  it("refuses after FULL and counts the attempt as rejected demand", () => {
    const { state, results } = run(newGateState(terms), ["a", "b", "c", "d", "e"]);
    expect(results.slice(3).map((r) => r.kind === "refused" && r.code)).toEqual([
      "TRIAL_CLOSED",
      "TRIAL_CLOSED",
    ]);
    expect(state.rejected).toBe(2);
    expect(state.nextSeq).toBe(4);
  });

  it("refuses before opensAt and after closesAt by the trial's own clock, without counting demand", () => {
    const s = newGateState(terms);
    const early = admit(s, { userId: "a", note: null, now: T0 - 1, applicationId: "x" });
    const late = admit(s, { userId: "a", note: null, now: T0 + 3_600_000, applicationId: "x" });
    expect(early).toMatchObject({ kind: "refused", code: "TRIAL_NOT_OPEN" });
    expect(late).toMatchObject({ kind: "refused", code: "TRIAL_CLOSED" });
    expect(late.next.rejected).toBe(0);
    expect(trialStatus(s, T0 + 3_600_000)).toEqual({ status: "CLOSED", closedReason: "ENDED" });
    expect(trialStatus(s, T0 - 1).status).toBe("SCHEDULED");
  });

  it("refuses a cancelled trial", () => {
    const s = { ...newGateState(terms), cancelledAt: T0 };
    expect(admit(s, { userId: "a", note: null, now: T0 + 1, applicationId: "x" })).toMatchObject({
      kind: "refused",
      code: "TRIAL_CANCELLED",
    });
  });

  it("reports live counts in the snapshot", () => {
    const { state } = run(newGateState(terms), ["a", "b"]);
    expect(snapshotOf(state, T0 + 5)).toMatchObject({
      status: "OPEN",
      won: 2,
      waitlisted: 0,
      remaining: 0,
      applicants: 2,
    });
  });

  it("never admits more than capacity whatever the order of thousands of arrivals", () => {
    const big = { ...terms, slots: 700, waitlistSize: 300 };
    const users = Array.from({ length: 5000 }, (_, i) => `u${i}`);
    const { state, results } = run(newGateState(big), users);
    const admitted = results.filter((r) => r.kind === "admitted");
    expect(admitted).toHaveLength(1000);
    expect(admitted.filter((r) => r.application.status === "WON")).toHaveLength(700);
    expect(admitted.map((r) => r.application.seq)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i + 1),
    );
    expect(state.rejected).toBe(4000);
  });
});

describe("closed-trial notices and refused demand counted elsewhere", () => {
  it("newcomerRefusal is TRIAL_CLOSED once full or ended, TRIAL_CANCELLED once cancelled, null while a place may open", () => {
    const open = newGateState(terms);
    expect(newcomerRefusal(open, T0 + 1)).toBeNull();
    expect(newcomerRefusal(open, T0 - 1)).toBeNull(); // scheduled: it will open
    const { state: full } = run(open, ["a", "b", "c"]);
    expect(newcomerRefusal(full, T0 + 2)).toBe("TRIAL_CLOSED");
    expect(newcomerRefusal(open, T0 + 3_600_001)).toBe("TRIAL_CLOSED");
    expect(newcomerRefusal({ ...open, cancelledAt: T0 + 1 }, T0 + 2)).toBe("TRIAL_CANCELLED");
  });

  it("countRejected adds to rejected only while the trial is full, as admit does", () => {
    const open = newGateState(terms);
    const { state: full } = run(open, ["a", "b", "c"]);
    expect(countRejected(full, 7, T0 + 2).rejected).toBe(full.rejected + 7);
    expect(countRejected(open, 7, T0 + 2)).toBe(open);
    expect(countRejected(full, 0, T0 + 2)).toBe(full);
    expect(countRejected(full, -3, T0 + 2)).toBe(full);
  });
});
