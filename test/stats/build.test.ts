import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { applications, reviews, trialStats } from "../../db/schema";
import { RECONCILE_CRON } from "../../workers/scheduled";
import { waitFor, withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { gateOf } from "../support/workerd/gate";
import { api } from "../support/workerd/http";
import { fireCron, statsRowOf, tickUntilBuilt } from "../support/workerd/stats";

// Arrivals chosen so every figure is known: three in one second, one a minute later.
const T0 = Date.UTC(2026, 0, 15, 12, 0, 30);
const ARRIVALS = [T0, T0 + 200, T0 + 500, T0 + 65_000];
const RATINGS = [5, 4, 2];

describe("statistics built by the cron", () => {
  it("gives exactly the expected numbers for controlled arrivals, and a re-run changes nothing", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 3, waitlistSize: 1 });
    const members = await createUsers("MEMBER", 6);
    // In order: 3 WON, 1 WAITLISTED, then the trial is FULL and 2 attempts are refused.
    for (const [i, member] of members.entries()) {
      const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
        token: member.token,
        body: {},
      });
      expect(res.status, `application ${i + 1}`).toBe(i < 4 ? 201 : 409);
    }
    const rows = await waitFor(
      async () => {
        const found = await withDb((db) =>
          db.select().from(applications).where(eq(applications.trialId, trial.id)),
        );
        return found.length === 4 ? found.sort((a, b) => a.seq - b.seq) : undefined;
      },
      { what: "the four applications in Postgres" },
    );
    await withDb(async (db) => {
      for (const [i, row] of rows.entries()) {
        await db
          .update(applications)
          .set({ appliedAt: new Date(ARRIVALS[i] as number) })
          .where(eq(applications.id, row.id));
      }
      await db.insert(reviews).values(
        RATINGS.map((rating, i) => ({
          id: crypto.randomUUID(),
          trialId: trial.id,
          productId: trial.productId,
          userId: rows[i]?.userId as string,
          applicationId: rows[i]?.id as string,
          rating,
          title: "Tried it",
          body: "A review written for the statistics test",
        })),
      );
      // Anything a concurrent tick built before the arrivals were set is thrown away.
      await db.delete(trialStats).where(eq(trialStats.trialId, trial.id));
    });

    const tick = Date.now();
    await tickUntilBuilt([trial.id], tick);
    const live = await gateOf(trial.id).snapshot();
    if (!live?.filledAt) throw new Error("the gate never filled");

    const res = await api("GET", `/v1/stats/trials/${trial.id}`, { token: company.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      trialId: trial.id,
      slots: 3,
      applicants: 4,
      won: 3,
      waitlisted: 1,
      cancelled: 0,
      promoted: 0,
      rejected: 2,
      openedAt: new Date(live.opensAt).toISOString(),
      filledAt: new Date(live.filledAt).toISOString(),
      secondsToFill: expect.any(Number),
      peakPerSecond: 3,
      perMinute: [
        { minute: "2026-01-15T12:00:00.000Z", count: 3 },
        { minute: "2026-01-15T12:01:00.000Z", count: 1 },
      ],
      reviews: { count: 3, average: 3.67, min: 2, max: 5 },
      // No winner confirmed or was shipped to (test/strikes/journey-stats.test.ts has those).
      journey: {
        confirmationRate: null,
        medianSecondsToConfirm: null,
        reviewCompletionRate: null,
        onTimeRate: null,
      },
      computedAt: expect.any(String),
    });
    expect(res.body.secondsToFill).toBeCloseTo((live.filledAt - live.opensAt) / 1000, 3);

    // The same tick again, and a later one: the row is byte-for-byte what it was.
    const first = await statsRowOf(trial.id);
    await fireCron(RECONCILE_CRON, tick);
    expect(await statsRowOf(trial.id)).toEqual(first);
    await fireCron(RECONCILE_CRON, tick + 5 * 60_000);
    expect(await statsRowOf(trial.id)).toEqual(first);

    // A change is picked up by the next tick: a fourth review moves the summary.
    await withDb((db) =>
      db.insert(reviews).values({
        id: crypto.randomUUID(),
        trialId: trial.id,
        productId: trial.productId,
        userId: rows[3]?.userId as string,
        applicationId: rows[3]?.id as string,
        rating: 1,
        title: "Late",
        body: "Another review",
      }),
    );
    await waitFor(
      async () => {
        await fireCron(RECONCILE_CRON, tick + 10 * 60_000);
        const row = await statsRowOf(trial.id);
        return row?.reviewsCount === 4 ? row : undefined;
      },
      { what: "the fourth review in the statistics", intervalMs: 0 },
    );
    const updated = await statsRowOf(trial.id);
    expect(updated).toMatchObject({
      reviewsCount: 4,
      reviewsAverage: 3,
      reviewsMin: 1,
      reviewsMax: 5,
    });
  });

  it("counts a cancelled place and its promotion from the gate", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 1 });
    const [first, second] = await createUsers("MEMBER", 2);
    if (!first || !second) throw new Error("no members");
    for (const m of [first, second]) {
      const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
        token: m.token,
        body: {},
      });
      expect(res.status).toBe(201);
    }
    const cancel = await api("DELETE", `/v1/trials/${trial.id}/applications/me`, {
      token: first.token,
    });
    expect(cancel.status).toBe(200);
    await waitFor(
      async () => {
        const n = await withDb((db) =>
          db
            .select({ n: sql<number>`count(*)::int` })
            .from(applications)
            .where(and(eq(applications.trialId, trial.id), eq(applications.status, "CANCELLED"))),
        );
        return n[0]?.n === 1 ? true : undefined;
      },
      { what: "the cancellation in Postgres" },
    );
    await tickUntilBuilt([trial.id], Date.now());
    // Filled (slot + waitlist taken) by the second application; the cancellation later
    // frees a waitlist place but does not undo when the trial filled.
    const live = await gateOf(trial.id).snapshot();
    if (!live?.filledAt) throw new Error("the gate never filled");
    expect(await statsRowOf(trial.id)).toMatchObject({
      applicants: 2,
      won: 1,
      waitlisted: 0,
      cancelled: 1,
      promoted: 1,
      rejected: 0,
      filledAt: new Date(live.filledAt),
    });
  });
});
