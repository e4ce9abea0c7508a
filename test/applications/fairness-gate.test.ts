import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { GateEvent } from "../../core/first-come/types";
import { gateOf, recordingQueue, setQueue } from "../support/workerd/gate";

/**
 * The Durable Object draws by its own alarm (armForTransitions at the window's end): with no
 * verb called after the window, the alarm alone decides every PENDING entrant and appends
 * their DRAWN entries.
 */

const statuses = (trialId: string) =>
  runInDurableObject(gateOf(trialId), (_g, state) =>
    state.storage.sql
      .exec<{ status: string }>("SELECT status FROM applications ORDER BY seq")
      .toArray()
      .map((r) => r.status),
  );

const drawnEntries = (trialId: string) =>
  runInDurableObject(
    gateOf(trialId),
    (_g, state) =>
      state.storage.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM fill_log WHERE kind = 'DRAWN'")
        .one().n,
  );

describe("the TrialGate's draw", () => {
  it("is made by the alarm at the window's end, once", async () => {
    const trialId = crypto.randomUUID();
    const gate = gateOf(trialId);
    // No catalog row for this trial: its events are kept here, not persisted (or compensated).
    const events: GateEvent[] = [];
    await setQueue(trialId, recordingQueue(events));
    const opensAt = Date.now() - 100;
    await gate.configure({
      trialId,
      slots: 1,
      waitlistSize: 1,
      opensAt,
      closesAt: opensAt + 3_600_000,
      ordering: "shuffle-at-open",
      shuffleSeconds: 1,
    });
    const results = await gate.applyMany(["a", "b", "c"].map((userId) => ({ userId, note: null })));
    expect(results.map((r) => (r.kind === "created" ? r.application.status : r.kind))).toEqual([
      "PENDING",
      "PENDING",
      "PENDING",
    ]);
    const alarmAt = await runInDurableObject(gate, (_g, state) => state.storage.getAlarm());
    expect(alarmAt).toBe(opensAt + 1_000);
    await new Promise((r) => setTimeout(r, Math.max(0, opensAt + 1_000 - Date.now()) + 20));

    expect(await runDurableObjectAlarm(gate)).toBe(true);
    expect((await statuses(trialId)).sort()).toEqual(["NOT_SELECTED", "WAITLISTED", "WON"]);
    expect(await drawnEntries(trialId)).toBe(3);
    await gate.flushOutbox();
    const outcomes = events.flatMap((e) => (e.type === "application" ? [e.outcome] : []));
    expect(outcomes.sort()).toEqual([
      "NOT_SELECTED",
      "PENDING",
      "PENDING",
      "PENDING",
      "WAITLISTED",
      "WON",
    ]);
    // Drawn once: a later verb finds nothing owed.
    await gate.snapshot();
    expect(await drawnEntries(trialId)).toBe(3);
  });
});
