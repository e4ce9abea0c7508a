import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { applications, winnerJourneys } from "../../db/schema";
import { cacheKeys } from "../../workers/cache/keys";
import * as R from "../../workers/openapi/responses";
import { testConfig, waitFor, withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers, type TestUser } from "../support/workerd/fixtures";
import { rowsOf } from "../support/workerd/gate";
import { api } from "../support/workerd/http";
import { sdk } from "../support/workerd/redis";
import { DAY_MS, recordStrike } from "../support/workerd/strikes";

/** `reliability` on a member's own User and on each applicant a company sees. */

type Ending = "completed" | "missed" | "open";

/**
 * Journeys a member went through (rows written as the journey jobs would leave them): per
 * ending, a trial of its own (one application per member and trial), a WON application
 * and its journey.
 */
async function journeysOf(member: TestUser, endings: Ending[]) {
  const company = await createUser("COMPANY");
  const trials: { id: string }[] = [];
  for (const _ of endings) trials.push(await createTrial(company, { slots: 10 }));
  const now = Date.now();
  await withDb(async (db) => {
    for (const [i, ending] of endings.entries()) {
      const applicationId = crypto.randomUUID();
      const t = trials[i];
      if (!t) throw new Error("trial missing");
      await db.insert(applications).values({
        id: applicationId,
        trialId: t.id,
        userId: member.id,
        seq: 1,
        status: "WON",
        appliedAt: new Date(now - 40 * DAY_MS),
        decidedAt: new Date(now - 40 * DAY_MS),
        version: 1,
        confirmedAt: new Date(now - 39 * DAY_MS),
      });
      await db.insert(winnerJourneys).values({
        applicationId,
        trialId: t.id,
        userId: member.id,
        carrier: "Post",
        trackingNumber: `T-${i}`,
        shippedAt: new Date(now - 30 * DAY_MS),
        reviewDueAt: new Date(now - 16 * DAY_MS),
        completedAt: ending === "completed" ? new Date(now - 20 * DAY_MS) : null,
        missedAt: ending === "missed" ? new Date(now - 16 * DAY_MS) : null,
      });
    }
  });
}

const me = (token: string) => api("GET", "/v1/users/me", { token });

describe("GET /v1/users/me: reliability", () => {
  it("counts a member's completed and missed journeys and the strikes that count, and shows a new strike at once", async () => {
    const member = await createUser("MEMBER");
    const fresh = await me(member.token);
    expect(fresh.status).toBe(200);
    v.parse(R.OwnUser, fresh.body);
    expect(fresh.body.reliability).toEqual({
      completed: 0,
      missed: 0,
      strikes: 0,
      restrictedUntil: null,
    });

    await journeysOf(member, ["completed", "completed", "missed", "open"]);
    await recordStrike(member.id, 200); // outside the 180 days
    await recordStrike(member.id, 10, { liftedAt: new Date() }); // lifted by an appeal
    await recordStrike(member.id, 3);
    const before = await me(member.token);
    expect(before.body.reliability).toEqual({
      completed: 2,
      missed: 1,
      strikes: 1,
      restrictedUntil: null,
    });

    // The user itself may now be served from the cache; its reliability never is.
    const second = await recordStrike(member.id, 1);
    const after = await me(member.token);
    expect(after.body.reliability).toEqual({
      completed: 2,
      missed: 1,
      strikes: 2,
      restrictedUntil: new Date(second.at.getTime() + 30 * DAY_MS).toISOString(),
    });
  });

  it("keeps reliability out of the cached user", async () => {
    if (!testConfig().redis) throw new Error("this test needs the Redis of the test run");
    const member = await createUser("MEMBER");
    await me(member.token);
    const stored = await waitFor(
      async () => (await sdk().get<string>(cacheKeys.user(member.id))) ?? undefined,
      { what: "the user in the cache" },
    );
    expect(JSON.parse(stored).user).not.toHaveProperty("reliability");
  });

  it("is null for a COMPANY and an ADMIN", async () => {
    for (const role of ["COMPANY", "ADMIN"] as const) {
      const user = await createUser(role);
      const res = await me(user.token);
      v.parse(R.OwnUser, res.body);
      expect(res.body.reliability).toBeNull();
    }
  });
});

describe("GET /v1/trials/:id/applications: each applicant's reliability", () => {
  it("shows every applicant's record on the company's page", async () => {
    const owner = await createUser("COMPANY");
    const trial = await createTrial(owner, { slots: 3 });
    const [steady, struck, newcomer] = await createUsers("MEMBER", 3);
    if (!steady || !struck || !newcomer) throw new Error("members missing");
    for (const m of [steady, struck, newcomer]) {
      const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
        token: m.token,
        body: {},
      });
      expect(res.status).toBe(201);
    }
    await waitFor(async () => ((await rowsOf(trial.id)).length === 3 ? true : undefined), {
      what: "the three applications in Postgres",
    });
    await journeysOf(steady, ["completed", "completed"]);
    await journeysOf(struck, ["missed", "missed"]);
    await recordStrike(struck.id, 20);
    const last = await recordStrike(struck.id, 6);

    const page = await api("GET", `/v1/trials/${trial.id}/applications`, { token: owner.token });
    expect(page.status).toBe(200);
    v.parse(R.ApplicantPage, page.body);
    const byUser = new Map(
      page.body.items.map((a: { userId: string; reliability: unknown }) => [
        a.userId,
        a.reliability,
      ]),
    );
    expect(byUser.get(steady.id)).toEqual({
      completed: 2,
      missed: 0,
      strikes: 0,
      restrictedUntil: null,
    });
    expect(byUser.get(struck.id)).toEqual({
      completed: 0,
      missed: 2,
      strikes: 2,
      restrictedUntil: new Date(last.at.getTime() + 30 * DAY_MS).toISOString(),
    });
    expect(byUser.get(newcomer.id)).toEqual({
      completed: 0,
      missed: 0,
      strikes: 0,
      restrictedUntil: null,
    });

    // Page by page, each page still carries it.
    const first = await api("GET", `/v1/trials/${trial.id}/applications?limit=2`, {
      token: owner.token,
    });
    const rest = await api(
      "GET",
      `/v1/trials/${trial.id}/applications?limit=2&cursor=${first.body.nextCursor}`,
      { token: owner.token },
    );
    expect([...first.body.items, ...rest.body.items].map((a) => a.reliability)).toEqual(
      page.body.items.map((a: { reliability: unknown }) => a.reliability),
    );
  });
});
