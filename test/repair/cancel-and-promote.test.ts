import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { applications } from "../../db/schema";
import { waitFor, withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers, type TestUser } from "../support/workerd/fixtures";
import { gateOf } from "../support/workerd/gate";
import { api, errorCode } from "../support/workerd/http";

const apply = (trialId: string, m: TestUser) =>
  api("POST", `/v1/trials/${trialId}/applications`, { token: m.token });
const cancel = (trialId: string, m: TestUser) =>
  api("DELETE", `/v1/trials/${trialId}/applications/me`, { token: m.token });

describe("cancellation and promotion under concurrency", () => {
  it("50 cancellations and 50 new applications at once on a full trial keep every invariant", async () => {
    const SLOTS = 50;
    const WAITLIST = 60;
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: SLOTS, waitlistSize: WAITLIST });
    const first = await createUsers("MEMBER", SLOTS + WAITLIST);
    const newcomers = await createUsers("MEMBER", 50);
    const initial = await Promise.all(first.map((m) => apply(trial.id, m)));
    expect(initial.every((r) => r.status === 201)).toBe(true);
    expect((await gateOf(trial.id).snapshot())?.status).toBe("CLOSED");

    const seqOf = new Map(initial.map((r) => [r.body.userId as string, r.body.seq as number]));
    const winners = first.filter((m) => (seqOf.get(m.id) ?? 0) <= SLOTS);
    const waitingBySeq = first
      .filter((m) => (seqOf.get(m.id) ?? 0) > SLOTS)
      .sort((a, b) => (seqOf.get(a.id) ?? 0) - (seqOf.get(b.id) ?? 0));

    // Watch the gate while the storm runs: WON must never exceed the slots.
    let storming = true;
    const observed: number[] = [];
    const watcher = (async () => {
      while (storming) {
        const s = await gateOf(trial.id).snapshot();
        if (s) observed.push(s.won);
      }
    })();
    const [cancels, applies] = await Promise.all([
      Promise.all(winners.map((m) => cancel(trial.id, m))),
      Promise.all(newcomers.map((m) => apply(trial.id, m))),
    ]);
    storming = false;
    await watcher;

    expect(observed.length).toBeGreaterThan(0);
    expect(Math.max(...observed)).toBeLessThanOrEqual(SLOTS);
    expect(cancels.every((r) => r.status === 200 && r.body.status === "CANCELLED")).toBe(true);
    for (const r of applies) {
      if (r.status === 201) expect(r.body.status).toBe("WAITLISTED");
      else expect([r.status, errorCode(r)]).toEqual([409, "TRIAL_CLOSED"]);
    }
    const admittedNew = applies.filter((r) => r.status === 201).length;

    // The first 50 in the waitlist, in order, took the 50 cancelled places.
    const ledger = await gateOf(trial.id).ledger(0, 1000);
    const won = ledger.filter((a) => a.status === "WON");
    expect(won).toHaveLength(SLOTS);
    expect(won.map((a) => a.userId).sort()).toEqual(
      waitingBySeq
        .slice(0, 50)
        .map((m) => m.id)
        .sort(),
    );
    expect(won.every((a) => a.version === 2)).toBe(true);
    // Everyone still waiting has a gapless position in seq order.
    const waiting = ledger.filter((a) => a.status === "WAITLISTED");
    expect(waiting.map((a) => a.position)).toEqual(waiting.map((_, i) => i + 1));
    expect(waiting).toHaveLength(WAITLIST - 50 + admittedNew);
    expect(waiting.length).toBeLessThanOrEqual(WAITLIST);
    // seq stays gapless over every application ever made.
    expect(ledger.map((a) => a.seq)).toEqual(ledger.map((_, i) => i + 1));

    const snapshot = await gateOf(trial.id).snapshot();
    expect(snapshot).toMatchObject({
      won: SLOTS,
      waitlisted: waiting.length,
      applicants: ledger.length,
    });

    // Postgres converges to the gate: same ids, statuses and versions once the queue drains.
    const expected = ledger.map((a) => [a.id, a.seq, a.status, a.version]);
    await waitFor(
      async () => {
        const rows = await withDb((db) =>
          db
            .select()
            .from(applications)
            .where(eq(applications.trialId, trial.id))
            .orderBy(asc(applications.seq)),
        );
        const actual = rows.map((r) => [r.id, r.seq, r.status, r.version]);
        return JSON.stringify(actual) === JSON.stringify(expected) ? true : undefined;
      },
      { timeoutMs: 30_000, what: "Postgres to converge to the gate's ledger" },
    );
    // And its positions (computed from the rows) agree with the gate's.
    const owner = await api(
      "GET",
      `/v1/trials/${trial.id}/applications?status=WAITLISTED&limit=100`,
      {
        token: company.token,
      },
    );
    expect(
      owner.body.items.map((a: { id: string; position: number }) => [a.id, a.position]),
    ).toEqual(waiting.map((a) => [a.id, a.position]));
  });
});

describe("DELETE /v1/trials/:id/applications/me", () => {
  it("promotes the first waitlisted member, moves the others up, and is idempotent", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 3 });
    const [a, b, c, d] = await createUsers("MEMBER", 4);
    for (const m of [a!, b!, c!, d!]) await apply(trial.id, m);

    const cancelled = await cancel(trial.id, a!);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "CANCELLED", seq: 1, position: null });
    expect(
      (await api("GET", `/v1/trials/${trial.id}/applications/me`, { token: b!.token })).body,
    ).toMatchObject({
      status: "WON",
      position: null,
    });
    expect(
      (await api("GET", `/v1/trials/${trial.id}/applications/me`, { token: d!.token })).body
        .position,
    ).toBe(2);

    // A waitlisted member cancels: the one behind moves up.
    await cancel(trial.id, c!);
    expect(
      (await api("GET", `/v1/trials/${trial.id}/applications/me`, { token: d!.token })).body
        .position,
    ).toBe(1);

    // Again: the same cancelled application, nothing else changes.
    const again = await cancel(trial.id, a!);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(cancelled.body.id);
    // And applying again returns that cancelled application, not a new place.
    const reapply = await apply(trial.id, a!);
    expect(reapply.status).toBe(200);
    expect(reapply.body).toMatchObject({ id: cancelled.body.id, status: "CANCELLED" });
    expect(await gateOf(trial.id).snapshot()).toMatchObject({
      won: 1,
      waitlisted: 1,
      applicants: 4,
    });
  });

  it("reopens a FULL trial when a WON place is freed and nobody waits", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const [a, b] = await createUsers("MEMBER", 2);
    await apply(trial.id, a!);
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({
      status: "CLOSED",
      closedReason: "FULL",
    });
    await cancel(trial.id, a!);
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({
      status: "OPEN",
      remaining: 1,
    });
    const next = await apply(trial.id, b!);
    expect(next.body).toMatchObject({ status: "WON", seq: 2 });
  });

  it("answers 404 without an application, 409 on a cancelled trial, 403 for a company", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2 });
    const [a, b] = await createUsers("MEMBER", 2);
    const none = await cancel(trial.id, a!);
    expect(none.status).toBe(404);
    expect(errorCode(none)).toBe("APPLICATION_NOT_FOUND");
    await apply(trial.id, b!);
    await api("POST", `/v1/trials/${trial.id}/cancel`, { token: company.token });
    const late = await cancel(trial.id, b!);
    expect(late.status).toBe(409);
    expect(errorCode(late)).toBe("TRIAL_CANCELLED");
    expect(
      (await api("DELETE", `/v1/trials/${trial.id}/applications/me`, { token: company.token }))
        .status,
    ).toBe(403);
    expect(
      (
        await api("DELETE", `/v1/trials/${crypto.randomUUID()}/applications/me`, {
          token: a!.token,
        })
      ).status,
    ).toBe(404);
  });
});

describe("GET /v1/me/applications", () => {
  it("lists the caller's applications from Postgres, newest first, filtered by status", async () => {
    const company = await createUser("COMPANY");
    const full = await createTrial(company, { slots: 1, waitlistSize: 2 });
    const other = await createTrial(company, { slots: 5 });
    const [first, me] = await createUsers("MEMBER", 2);
    await apply(full.id, first!);
    const waiting = await apply(full.id, me!);
    const won = await apply(other.id, me!);
    const list = () => api("GET", "/v1/me/applications", { token: me!.token });
    const rows = await waitFor(async () => {
      const res = await list();
      return res.body.items?.length === 2 ? res.body.items : undefined;
    });
    expect(rows.map((a: { id: string }) => a.id)).toEqual([won.body.id, waiting.body.id]);
    expect(rows[1]).toMatchObject({ status: "WAITLISTED", position: 1 });

    const onlyWaiting = await api("GET", "/v1/me/applications?status=WAITLISTED", {
      token: me!.token,
    });
    expect(onlyWaiting.body.items.map((a: { id: string }) => a.id)).toEqual([waiting.body.id]);
    const paged = await api("GET", "/v1/me/applications?limit=1", { token: me!.token });
    expect(paged.body.items).toHaveLength(1);
    const next = await api("GET", `/v1/me/applications?limit=1&cursor=${paged.body.nextCursor}`, {
      token: me!.token,
    });
    expect(next.body.items.map((a: { id: string }) => a.id)).toEqual([waiting.body.id]);
    expect((await api("GET", "/v1/me/applications?status=LOST", { token: me!.token })).status).toBe(
      400,
    );
    expect((await api("GET", "/v1/me/applications", { token: company.token })).status).toBe(403);
  });
});
