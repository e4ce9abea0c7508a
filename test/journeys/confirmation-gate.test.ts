import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Application, GateEvent } from "../../core/first-come/types";
import { gateOf, recordingQueue, setQueue } from "../support/workerd/gate";

/**
 * The Durable Object gate's confirmation window on a real clock: the HTTP API allows whole
 * minutes (1..10080); the gate takes any number, so these windows are about a second long.
 * Nothing outside the object ticks: its own alarm releases an unconfirmed place.
 */

const WINDOW_MINUTES = 0.02; // 1.2 s
const SEALED = { keyId: "k1", sealed: "c2VhbGVkLWFkZHJlc3MtYnl0ZXM=" };

type Row = {
  user_id: string;
  status: string;
  confirm_by: number | null;
  confirmed_at: number | null;
  cancelled_reason: string | null;
};

const rows = (trialId: string) =>
  runInDurableObject(gateOf(trialId), (_g, state) =>
    state.storage.sql
      .exec<Row>(
        "SELECT user_id, status, confirm_by, confirmed_at, cancelled_reason FROM applications ORDER BY seq",
      )
      .toArray(),
  );

const logKinds = (trialId: string) =>
  runInDurableObject(gateOf(trialId), (_g, state) =>
    state.storage.sql
      .exec<{ kind: string }>("SELECT kind FROM fill_log ORDER BY n")
      .toArray()
      .map((r) => r.kind),
  );

/** Polls the object's own rows (which triggers nothing) until `done` holds or 15 s pass. */
async function waitFor(trialId: string, done: (rows: Row[]) => boolean): Promise<Row[]> {
  const until = Date.now() + 15_000;
  for (;;) {
    const now = await rows(trialId);
    if (done(now) || Date.now() > until) return now;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openTrial(waitlistSize = 2) {
  const trialId = crypto.randomUUID();
  const gate = gateOf(trialId);
  const events: GateEvent[] = [];
  // No catalog row for this trial: its events are kept here, not persisted.
  await setQueue(trialId, recordingQueue(events));
  const opensAt = Date.now() - 1_000;
  await gate.configure({
    trialId,
    slots: 1,
    waitlistSize,
    opensAt,
    closesAt: opensAt + 3_600_000,
    confirmWithinMinutes: WINDOW_MINUTES,
  });
  return { trialId, gate, events };
}

const won = (r: { kind: string; application?: Application }) =>
  r.kind === "created" ? (r.application as Application) : null;

describe("the gate's confirmation window", () => {
  it("releases an unconfirmed winner by its own alarm and gives the waitlist head a window of its own, then the next", async () => {
    const { trialId, gate, events } = await openTrial();
    const [a] = await gate.applyMany(["a", "b", "c"].map((userId) => ({ userId, note: null })));
    const first = won(a as { kind: string; application?: Application });
    expect(first?.status).toBe("WON");
    expect(first?.confirmBy).toBeGreaterThan(Date.now());

    const afterFirst = await waitFor(trialId, (r) => r[0]?.status === "CANCELLED");
    expect(afterFirst[0]).toMatchObject({ status: "CANCELLED", cancelled_reason: "NOT_CONFIRMED" });
    expect(afterFirst[1]?.status).toBe("WON");
    // Its own full window, counted from its promotion (after the first deadline passed).
    expect(afterFirst[1]?.confirm_by).toBeGreaterThan((first?.confirmBy as number) + 1_000);

    // Nobody confirms again: the alarm moves the place on once more.
    const afterSecond = await waitFor(trialId, (r) => r[1]?.status === "CANCELLED");
    expect(afterSecond.map((r) => [r.status, r.cancelled_reason])).toEqual([
      ["CANCELLED", "NOT_CONFIRMED"],
      ["CANCELLED", "NOT_CONFIRMED"],
      ["WON", null],
    ]);
    expect(await logKinds(trialId)).toEqual([
      "APPLIED",
      "APPLIED",
      "APPLIED",
      "RELEASED",
      "PROMOTED",
      "RELEASED",
      "PROMOTED",
    ]);
    await gate.flushOutbox();
    const told = events.flatMap((e) =>
      e.type === "application" ? [`${e.application.userId}:${e.outcome}`] : [],
    );
    expect(told).toEqual(
      expect.arrayContaining(["a:CANCELLED", "b:PROMOTED", "b:CANCELLED", "c:PROMOTED"]),
    );
  });

  it("stores a confirmation in time with its sealed address in the same event, once; a confirmed place is never released", async () => {
    const { trialId, gate, events } = await openTrial();
    await gate.applyMany(["a", "b"].map((userId) => ({ userId, note: null })));
    expect(await gate.confirm("b", SEALED)).toEqual({ kind: "refused", code: "NOT_A_WINNER" });
    expect(await gate.confirm("nobody", SEALED)).toEqual({
      kind: "refused",
      code: "APPLICATION_NOT_FOUND",
    });
    const confirmed = await gate.confirm("a", SEALED);
    expect(confirmed).toMatchObject({ kind: "confirmed", application: { userId: "a" } });
    expect(await gate.confirm("a", SEALED)).toEqual({
      kind: "refused",
      code: "ALREADY_CONFIRMED",
    });

    // Well past the deadline the alarm has come and gone: the confirmed place stays.
    await new Promise((r) => setTimeout(r, WINDOW_MINUTES * 60_000 + 1_500));
    expect(await gate.releaseOverdue()).toBe(0);
    const [a, b] = await rows(trialId);
    expect(a).toMatchObject({ status: "WON", confirm_by: null });
    expect(a?.confirmed_at).toBeGreaterThan(0);
    expect(b?.status).toBe("WAITLISTED");
    await gate.flushOutbox();
    const confirmations = events.filter((e) => e.type === "confirmation");
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]).toMatchObject({
      application: { userId: "a", confirmedAt: a?.confirmed_at },
      address: SEALED,
    });
  });

  it("refuses a confirmation once the deadline has passed", async () => {
    const { gate } = await openTrial(0);
    const [r] = await gate.applyMany([{ userId: "a", note: null }]);
    const deadline = won(r as { kind: string; application?: Application })?.confirmBy as number;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline + 1 - Date.now())));
    expect(await gate.confirm("a", SEALED)).toEqual({
      kind: "refused",
      code: "CONFIRMATION_CLOSED",
    });
  });
});
