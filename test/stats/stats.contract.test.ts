import { beforeAll, describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import {
  createTrial,
  createUser,
  createUsers,
  sql,
  type TestUser,
  waitFor,
} from "../support/contract/fixtures";

// API.md "Statistics": built by a job, never on a read. An ADMIN's rebuild (202) builds them
// now; until a trial's row exists its statistics are a 404 STATS_NOT_READY. Readers: the
// owning company or an ADMIN; /stats/companies/me is for companies only.

const TRIAL_STATS_KEYS = [
  "trialId",
  "slots",
  "applicants",
  "won",
  "waitlisted",
  "cancelled",
  "promoted",
  "rejected",
  "openedAt",
  "filledAt",
  "secondsToFill",
  "peakPerSecond",
  "perMinute",
  "reviews",
  "journey",
  "computedAt",
].sort();

let owner: TestUser;
let otherCompany: TestUser;
let member: TestUser;
let admin: TestUser;
let trial: { id: string; productId: string };

const statsOf = (path: string, caller: TestUser) =>
  api("GET", `/v1/stats${path}`, { token: caller.token });

beforeAll(async () => {
  [owner, otherCompany, member, admin] = await Promise.all([
    createUser("COMPANY"),
    createUser("COMPANY"),
    createUser("MEMBER"),
    createUser("ADMIN"),
  ]);
  // One place and one waitlist place: WON, WAITLISTED, then the trial is FULL and the third
  // attempt is refused, which the statistics count as rejected demand.
  trial = await createTrial(owner, { slots: 1, waitlistSize: 1 });
  const applicants = await createUsers("MEMBER", 3);
  const statuses = [];
  for (const applicant of applicants) {
    const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: applicant.token,
      body: {},
    });
    statuses.push(res.status === 201 ? res.body.status : errorCode(res));
  }
  expect(statuses).toEqual(["WON", "WAITLISTED", "TRIAL_CLOSED"]);
  await waitFor(
    async () => {
      const rows = await sql("SELECT 1 FROM applications WHERE trial_id = $1", [trial.id]);
      return rows.length === 2 ? true : undefined;
    },
    { what: "both applications in Postgres" },
  );
});

describe("POST /v1/admin/stats/rebuild and GET /v1/stats/trials/:id", () => {
  it("before a build the trial is 404 STATS_NOT_READY; an ADMIN's rebuild (202) builds the exact counts", async () => {
    // A scheduled tick may have built it already: the state under test is "not built yet".
    await sql("DELETE FROM trial_stats WHERE trial_id = $1", [trial.id]);
    const notReady = await statsOf(`/trials/${trial.id}`, owner);
    expect([notReady.status, errorCode(notReady)]).toEqual([404, "STATS_NOT_READY"]);

    const byCompany = await api("POST", "/v1/admin/stats/rebuild", {
      token: owner.token,
      body: {},
    });
    expect([byCompany.status, errorCode(byCompany)]).toEqual([403, "FORBIDDEN"]);
    const rebuild = await api("POST", "/v1/admin/stats/rebuild", { token: admin.token, body: {} });
    expect(rebuild.status).toBe(202);

    const res = await waitFor(
      async () => {
        const r = await statsOf(`/trials/${trial.id}`, owner);
        return r.status === 200 ? r : undefined;
      },
      { what: "the trial's statistics after the rebuild" },
    );
    expect(Object.keys(res.body).sort()).toEqual(TRIAL_STATS_KEYS);
    expect(res.body).toMatchObject({
      trialId: trial.id,
      slots: 1,
      applicants: 2,
      won: 1,
      waitlisted: 1,
      cancelled: 0,
      promoted: 0,
      rejected: 1,
      reviews: { count: 0, average: null, min: null, max: null },
      // Nobody confirmed, shipped or reviewed: every rate's denominator is 0.
      journey: {
        confirmationRate: null,
        medianSecondsToConfirm: null,
        reviewCompletionRate: null,
        onTimeRate: null,
      },
    });
    // Filled by the second application: every place taken.
    expect(Date.parse(res.body.filledAt)).not.toBeNaN();
    expect(Date.parse(res.body.openedAt)).not.toBeNaN();
    expect(Date.parse(res.body.computedAt)).not.toBeNaN();
    expect(res.body.secondsToFill).toEqual(expect.any(Number));
    expect(res.body.peakPerSecond).toBeGreaterThanOrEqual(1);
    const perMinute = res.body.perMinute as { minute: string; count: number }[];
    expect(perMinute.reduce((sum, m) => sum + m.count, 0)).toBe(2);

    const byAdmin = await statsOf(`/trials/${trial.id}`, admin);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.trialId).toBe(trial.id);
  });

  it("refuses another company (403 NOT_THE_OWNER) and a member (403 FORBIDDEN); 404 for an unknown trial", async () => {
    const other = await statsOf(`/trials/${trial.id}`, otherCompany);
    expect([other.status, errorCode(other)]).toEqual([403, "NOT_THE_OWNER"]);
    const asMember = await statsOf(`/trials/${trial.id}`, member);
    expect([asMember.status, errorCode(asMember)]).toEqual([403, "FORBIDDEN"]);
    const unknown = await statsOf(`/trials/${crypto.randomUUID()}`, admin);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "TRIAL_NOT_FOUND"]);
    const anonymous = await api("GET", `/v1/stats/trials/${trial.id}`);
    expect(anonymous.status).toBe(401);
  });
});

describe("GET /v1/stats/products/:id and /v1/stats/companies/me", () => {
  beforeAll(async () => {
    // Built by the first describe's rebuild, or by this one when run alone.
    await api("POST", "/v1/admin/stats/rebuild", { token: admin.token, body: {} });
    await waitFor(
      async () => ((await statsOf(`/trials/${trial.id}`, owner)).status === 200 ? true : undefined),
      { what: "the trial's statistics" },
    );
  });

  it("the product's totals for its owner; 403 for another company and a member", async () => {
    const res = await statsOf(`/products/${trial.productId}`, owner);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      productId: trial.productId,
      trials: 1,
      slots: 1,
      applicants: 2,
      won: 1,
      waitlisted: 1,
      rejected: 1,
      reviews: { count: 0, average: null },
    });
    const other = await statsOf(`/products/${trial.productId}`, otherCompany);
    expect([other.status, errorCode(other)]).toEqual([403, "NOT_THE_OWNER"]);
    const asMember = await statsOf(`/products/${trial.productId}`, member);
    expect(asMember.status).toBe(403);
    const unknown = await statsOf(`/products/${crypto.randomUUID()}`, admin);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "PRODUCT_NOT_FOUND"]);
  });

  it("a company's own trials only; members are refused", async () => {
    const mine = await statsOf("/companies/me", owner);
    expect(mine.status).toBe(200);
    expect(mine.body.nextCursor).toBeNull();
    expect(mine.body.items).toHaveLength(1);
    expect(mine.body.items[0]).toMatchObject({ trialId: trial.id, won: 1, waitlisted: 1 });

    const theirs = await statsOf("/companies/me", otherCompany);
    expect(theirs.body).toEqual({ items: [], nextCursor: null });
    const asMember = await statsOf("/companies/me", member);
    expect([asMember.status, errorCode(asMember)]).toEqual([403, "FORBIDDEN"]);
  });
});
