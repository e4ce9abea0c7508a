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

  it("serves the drawn waitlist in rank order, ahead of later arrivals, positions and promotion alike", async () => {
    const trialId = crypto.randomUUID();
    const gate = gateOf(trialId);
    await setQueue(trialId, recordingQueue([]));
    const opensAt = Date.now() - 100;
    await gate.configure({
      trialId,
      slots: 1,
      waitlistSize: 10,
      opensAt,
      closesAt: opensAt + 3_600_000,
      ordering: "shuffle-at-open",
      shuffleSeconds: 1,
    });
    // Eight drawn onto the waitlist: their rank order matches arrival order once in 40,320.
    const entrants = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    await gate.applyMany(entrants.map((userId) => ({ userId, note: null })));
    await new Promise((r) => setTimeout(r, Math.max(0, opensAt + 1_000 - Date.now()) + 20));
    expect(await runDurableObjectAlarm(gate)).toBe(true);
    // A later arrival, first-come behind the drawn.
    const [late] = await gate.applyMany([{ userId: "late", note: null }]);
    expect(late?.kind === "created" && late.application.position).toBe(9);

    // The DRAWN entries are in rank order: the drawn waitlist must be served in that order.
    const log = await gate.log(0, 100);
    const byId = new Map<string, string>();
    for (const userId of [...entrants, "late"]) {
      const a = await gate.findApplication(userId);
      if (a) byId.set(a.id, userId);
    }
    const drawnWaiting = log
      .filter((e) => e.kind === "DRAWN" && e.outcome === "WAITLISTED")
      .map((e) => byId.get(e.applicationId) as string);
    expect(drawnWaiting).toHaveLength(8);
    const positions = await Promise.all(
      drawnWaiting.map(async (u) => (await gate.findApplication(u))?.position),
    );
    expect(positions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The ledger (reconciliation) and the live room's reads agree.
    const ledger = await gate.ledger(0, 100);
    const ledgerPositions = drawnWaiting.map((u) => ledger.find((a) => a.userId === u)?.position);
    expect(ledgerPositions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    // The winner leaves: the best-ranked waiting member is promoted, not the earliest arrival.
    const winner = log.find((e) => e.kind === "DRAWN" && e.outcome === "WON");
    const result = await gate.withdraw(byId.get(winner?.applicationId ?? "") as string);
    expect(result.kind === "withdrawn" && result.promoted?.userId).toBe(drawnWaiting[0]);
    expect((await gate.findApplication(drawnWaiting[1] as string))?.position).toBe(1);
    expect((await gate.findApplication("late"))?.position).toBe(8);
  });
});
