import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { trialStats } from "../../db/schema";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser, type TestUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { tickUntilBuilt } from "../support/workerd/stats";

const UNKNOWN = "00000000-0000-4000-8000-00000000abcd";

let owner: TestUser;
let otherCompany: TestUser;
let member: TestUser;
let admin: TestUser;
let trialIds: string[];
let productId: string;

beforeAll(async () => {
  [owner, otherCompany, member, admin] = await Promise.all([
    createUser("COMPANY"),
    createUser("COMPANY"),
    createUser("MEMBER"),
    createUser("ADMIN"),
  ]);
  const first = await createTrial(owner, { slots: 2, waitlistSize: 0 });
  productId = first.productId;
  // A second trial of the same product, for the product's totals.
  const second = await api("POST", "/v1/trials", {
    token: owner.token,
    body: {
      productId,
      title: "Second round",
      description: "Again",
      slots: 5,
      waitlistSize: 1,
      opensAt: new Date(Date.now() - 1000).toISOString(),
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(second.status).toBe(201);
  trialIds = [first.id, second.body.id];
  const applied = await api("POST", `/v1/trials/${first.id}/applications`, {
    token: member.token,
    body: {},
  });
  expect(applied.status).toBe(201);
  await tickUntilBuilt(trialIds, Date.now());
});

describe("GET /v1/stats/trials/:id", () => {
  it("answers the owner and an ADMIN", async () => {
    for (const caller of [owner, admin]) {
      const res = await api("GET", `/v1/stats/trials/${trialIds[0]}`, { token: caller.token });
      expect(res.status, caller.role).toBe(200);
      expect(res.body).toMatchObject({ trialId: trialIds[0], slots: 2, applicants: 1, won: 1 });
    }
  });

  it("refuses another company (NOT_THE_OWNER) and a member (FORBIDDEN)", async () => {
    const other = await api("GET", `/v1/stats/trials/${trialIds[0]}`, {
      token: otherCompany.token,
    });
    expect(other.status).toBe(403);
    expect(errorCode(other)).toBe("NOT_THE_OWNER");
    const asMember = await api("GET", `/v1/stats/trials/${trialIds[0]}`, { token: member.token });
    expect(asMember.status).toBe(403);
    expect(errorCode(asMember)).toBe("FORBIDDEN");
  });

  it("404s an unknown trial, 404 STATS_NOT_READY before the cron built it, 400 a bad id", async () => {
    const unknown = await api("GET", `/v1/stats/trials/${UNKNOWN}`, { token: admin.token });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe("TRIAL_NOT_FOUND");

    const fresh = await createTrial(owner);
    // A tick from another test file may have built it already: the state under test is "none yet".
    await withDb((db) => db.delete(trialStats).where(eq(trialStats.trialId, fresh.id)));
    const notReady = await api("GET", `/v1/stats/trials/${fresh.id}`, { token: owner.token });
    expect(notReady.status).toBe(404);
    expect(errorCode(notReady)).toBe("STATS_NOT_READY");

    const bad = await api("GET", "/v1/stats/trials/not-a-uuid", { token: owner.token });
    expect(bad.status).toBe(400);
  });
});

describe("GET /v1/stats/products/:id", () => {
  it("totals the product's trials for the owner and an ADMIN", async () => {
    for (const caller of [owner, admin]) {
      const res = await api("GET", `/v1/stats/products/${productId}`, { token: caller.token });
      expect(res.status, caller.role).toBe(200);
      expect(res.body).toMatchObject({
        productId,
        trials: 2,
        slots: 7,
        applicants: 1,
        won: 1,
        waitlisted: 0,
        reviews: { count: 0, average: null, min: null, max: null },
        computedAt: expect.any(String),
      });
    }
  });

  it("refuses another company and a member; 404s an unknown product", async () => {
    const other = await api("GET", `/v1/stats/products/${productId}`, {
      token: otherCompany.token,
    });
    expect(other.status).toBe(403);
    expect(errorCode(other)).toBe("NOT_THE_OWNER");
    const asMember = await api("GET", `/v1/stats/products/${productId}`, { token: member.token });
    expect(asMember.status).toBe(403);
    const unknown = await api("GET", `/v1/stats/products/${UNKNOWN}`, { token: admin.token });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe("PRODUCT_NOT_FOUND");
  });
});

describe("GET /v1/stats/companies/me", () => {
  it("lists only the caller's own trials, a page at a time", async () => {
    const first = await api("GET", "/v1/stats/companies/me?limit=1", { token: owner.token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const rest = await api(
      "GET",
      `/v1/stats/companies/me?limit=100&cursor=${first.body.nextCursor}`,
      { token: owner.token },
    );
    expect(rest.status).toBe(200);
    const seen = [...first.body.items, ...rest.body.items].map(
      (s: { trialId: string }) => s.trialId,
    );
    expect(seen).toEqual(expect.arrayContaining(trialIds));
    expect(new Set(seen).size).toBe(seen.length);

    const other = await api("GET", "/v1/stats/companies/me", { token: otherCompany.token });
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ items: [], nextCursor: null });
  });

  it("is for companies only (a member and an ADMIN get 403); a forged cursor is a 400", async () => {
    for (const caller of [member, admin]) {
      const res = await api("GET", "/v1/stats/companies/me", { token: caller.token });
      expect(res.status, caller.role).toBe(403);
      expect(errorCode(res)).toBe("FORBIDDEN");
    }
    const bad = await api("GET", "/v1/stats/companies/me?cursor=nonsense", { token: owner.token });
    expect(bad.status).toBe(400);
  });
});
