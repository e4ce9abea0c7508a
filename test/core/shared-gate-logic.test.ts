import { describe, expect, it } from "vitest";
import { admit, newGateState } from "../../core/first-come/decide";
import { configureTerms } from "../../core/first-come/decide-terms";
import { announceStatus, applicationEvent } from "../../core/first-come/events";
import { clampLedgerLimit } from "../../core/ports/trial-gate";

/** The glue both gate implementations (Durable Object, Deno KV) share. */
const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const terms = { trialId: "t", slots: 1, waitlistSize: 0, opensAt: T0, closesAt: T0 + 3_600_000 };

describe("configureTerms", () => {
  it("configures a new gate with its initial status recorded as announced, without an event", () => {
    const d = configureTerms(null, terms, T0 - 1);
    expect(d.kind).toBe("configured");
    if (d.kind !== "configured") return;
    expect(d.next).toMatchObject({ announcedStatus: "SCHEDULED", statusVersion: 1, nextSeq: 1 });
    expect(announceStatus(d.next, T0 - 1).events).toEqual([]);
  });

  it("leaves the same terms unchanged, changes a SCHEDULED trial, refuses once it is open", () => {
    const scheduled = configureTerms(null, terms, T0 - 10);
    if (scheduled.kind !== "configured") throw new Error("expected configured");
    expect(configureTerms(scheduled.next, terms, T0 - 5)).toEqual({
      kind: "unchanged",
      state: scheduled.next,
    });
    const changed = configureTerms(scheduled.next, { ...terms, slots: 9 }, T0 - 5);
    expect(changed.kind === "configured" && changed.next.slots).toBe(9);
    expect(configureTerms(scheduled.next, { ...terms, slots: 9 }, T0 + 1)).toEqual({
      kind: "refused",
      code: "TRIAL_ALREADY_OPEN",
    });
  });
});

describe("announceStatus", () => {
  it("emits one versioned trial-status event per change of status, and none otherwise", () => {
    const configured = configureTerms(null, terms, T0 - 1);
    if (configured.kind !== "configured") throw new Error("expected configured");
    const opened = announceStatus(configured.next, T0);
    expect(opened.events).toMatchObject([
      { type: "trial-status", status: "OPEN", version: 2, at: T0 },
    ]);
    expect(announceStatus(opened.next, T0 + 5).events).toEqual([]);
    const full = admit(opened.next, { userId: "u", note: null, now: T0 + 6, applicationId: "a" });
    if (full.kind !== "admitted") throw new Error("expected admitted");
    expect(announceStatus(full.next, T0 + 6).events).toMatchObject([
      { status: "CLOSED", closedReason: "FULL", version: 3 },
    ]);
  });

  it("builds application events with a fresh id each time", () => {
    const state = newGateState(terms);
    const d = admit(state, { userId: "u", note: null, now: T0 + 1, applicationId: "a" });
    if (d.kind !== "admitted") throw new Error("expected admitted");
    const [a, b] = [applicationEvent("WON", d.application), applicationEvent("WON", d.application)];
    // The queue's messages carry the application without its tag and log entry (issue 16).
    const { memberTag: _tag, lastEntry: _entry, ...decided } = d.application;
    expect(a).toMatchObject({ v: 1, type: "application", outcome: "WON" });
    expect(a.application).toEqual(decided);
    expect(a.eventId).not.toBe(b.eventId);
  });
});

describe("clampLedgerLimit", () => {
  it("keeps ledger pages between 1 and 1000", () => {
    expect([0, -5, 1, 500, 1000, 5000, Number.NaN].map(clampLedgerLimit)).toEqual([
      1, 1, 1, 500, 1000, 1000, 1,
    ]);
  });
});
