import { describe, expect, it } from "vitest";
import { api, baseUrls, errorCode } from "../support/contract/client";
import {
  createProduct,
  createTrial,
  createUser,
  createUsers,
  type TestUser,
} from "../support/contract/fixtures";
import { ISO_INSTANT, UNKNOWN_ID } from "../support/shared/values";

/** The catalog's trials: their owners, filters, paging and lifecycle conflicts. */

const HOUR = 3_600_000;

/** A trial on a given product (the shared fixture makes a new product per trial). */
function postTrial(company: TestUser, productId: string, overrides: Record<string, unknown> = {}) {
  return api("POST", "/v1/trials", {
    token: company.token,
    body: {
      productId,
      title: "Early access",
      description: "Be among the first",
      slots: 2,
      waitlistSize: 1,
      opensAt: new Date(Date.now() - 1000).toISOString(),
      closesAt: new Date(Date.now() + HOUR).toISOString(),
      ...overrides,
    },
  });
}

/** Opens in an hour, so it stays SCHEDULED for the whole test. */
const scheduled = () => ({
  opensAt: new Date(Date.now() + HOUR).toISOString(),
  closesAt: new Date(Date.now() + 2 * HOUR).toISOString(),
});

const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe("trials", () => {
  it("POST creates a Trial (201) with its live counts", async () => {
    const company = await createUser("COMPANY");
    const productId = await createProduct(company);
    const opensAt = new Date(Date.now() - 1000).toISOString();
    const closesAt = new Date(Date.now() + HOUR).toISOString();
    const res = await postTrial(company, productId, {
      slots: 2,
      waitlistSize: 2,
      opensAt,
      closesAt,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      productId,
      companyId: company.id,
      title: "Early access",
      description: "Be among the first",
      slots: 2,
      waitlistSize: 2,
      opensAt,
      closesAt,
      status: "OPEN",
      closedReason: null,
      won: 0,
      waitlisted: 0,
      remaining: 2,
      applicants: 0,
      createdAt: expect.stringMatching(ISO_INSTANT),
      // Strict first-come unless asked otherwise: no seed to commit to, nothing drawn.
      ordering: "strict",
      shuffleSeconds: null,
      seedCommitment: null,
      seed: null,
      // After the win: no confirmation deadline unless asked, 14 days to review.
      confirmWithinMinutes: null,
      reviewWithinDays: 14,
    });

    // The counts follow the gate: 3 applicants for 2 slots are 2 WON and 1 WAITLISTED.
    const members = await createUsers("MEMBER", 3);
    for (const member of members) {
      const applied = await api("POST", `/v1/trials/${res.body.id}/applications`, {
        token: member.token,
        body: {},
      });
      expect(applied.status).toBe(201);
    }
    for (let server = 0; server < baseUrls.length; server++) {
      const read = await api("GET", `/v1/trials/${res.body.id}`, { server });
      expect(read.body).toMatchObject({
        status: "OPEN",
        won: 2,
        waitlisted: 1,
        remaining: 0,
        applicants: 3,
      });
    }
  });

  it("POST is 400 when opensAt is not before closesAt or slots is 0", async () => {
    const company = await createUser("COMPANY");
    const productId = await createProduct(company);
    const at = new Date(Date.now() + HOUR).toISOString();
    const sameTime = await postTrial(company, productId, { opensAt: at, closesAt: at });
    expect(sameTime.status).toBe(400);
    expect(errorCode(sameTime)).toBe("VALIDATION_FAILED");
    expect(sameTime.body.error.details).toContainEqual(
      expect.objectContaining({ path: "closesAt" }),
    );
    const noSlots = await postTrial(company, productId, { slots: 0 });
    expect(noSlots.status).toBe(400);
    expect(errorCode(noSlots)).toBe("VALIDATION_FAILED");
    expect(noSlots.body.error.details).toContainEqual(expect.objectContaining({ path: "slots" }));
    const list = await api("GET", `/v1/trials?productId=${productId}`);
    expect(list.body.items).toEqual([]);
  });

  it("POST is 422 UNKNOWN_PRODUCT for an unknown product, 403 for another company's or a MEMBER", async () => {
    const [owner, rival] = await createUsers("COMPANY", 2);
    if (!owner || !rival) throw new Error("no companies");
    const unknown = await postTrial(owner, UNKNOWN_ID);
    expect(unknown.status).toBe(422);
    expect(errorCode(unknown)).toBe("UNKNOWN_PRODUCT");

    const productId = await createProduct(owner);
    const byRival = await postTrial(rival, productId);
    expect(byRival.status).toBe(403);
    expect(errorCode(byRival)).toBe("NOT_THE_OWNER");
    const member = await createUser("MEMBER");
    const byMember = await postTrial(member, productId);
    expect(byMember.status).toBe(403);
    expect(errorCode(byMember)).toBe("FORBIDDEN");
  });

  it("GET lists filtered by productId, status and companyId", async () => {
    const company = await createUser("COMPANY");
    const productId = await createProduct(company);
    const open = await postTrial(company, productId);
    const later = await postTrial(company, productId, scheduled());
    expect([open.status, later.status]).toEqual([201, 201]);
    expect(later.body.status).toBe("SCHEDULED");
    const elsewhere = await createTrial(company);

    const byProduct = await api("GET", `/v1/trials?productId=${productId}`);
    expect(byProduct.status).toBe(200);
    expect(ids(byProduct.body.items)).toEqual([later.body.id, open.body.id]);
    expect(byProduct.body.nextCursor).toBeNull();

    const byStatus = await api("GET", `/v1/trials?productId=${productId}&status=SCHEDULED`);
    expect(ids(byStatus.body.items)).toEqual([later.body.id]);

    const byCompany = await api("GET", `/v1/trials?companyId=${company.id}&limit=2`);
    expect(ids(byCompany.body.items)).toEqual([elsewhere.id, later.body.id]);
    const cursor = encodeURIComponent(byCompany.body.nextCursor);
    const rest = await api("GET", `/v1/trials?companyId=${company.id}&limit=2&cursor=${cursor}`);
    expect(ids(rest.body.items)).toEqual([open.body.id]);

    const badStatus = await api("GET", "/v1/trials?status=PAUSED");
    expect(badStatus.status).toBe(400);
    expect(errorCode(badStatus)).toBe("VALIDATION_FAILED");
  });

  it("GET one: 200 with the Trial, 404 TRIAL_NOT_FOUND for an unknown id, 400 for a non-UUID", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const read = await api("GET", `/v1/trials/${trial.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: trial.id, productId: trial.productId, status: "OPEN" });
    const missing = await api("GET", `/v1/trials/${UNKNOWN_ID}`);
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe("TRIAL_NOT_FOUND");
    const malformed = await api("GET", "/v1/trials/not-a-uuid");
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("VALIDATION_FAILED");
  });

  it("PATCH changes a SCHEDULED trial (200); an OPEN one is 409 TRIAL_ALREADY_OPEN", async () => {
    const [owner, rival] = await createUsers("COMPANY", 2);
    if (!owner || !rival) throw new Error("no companies");
    const productId = await createProduct(owner);
    const later = await postTrial(owner, productId, scheduled());
    const patched = await api("PATCH", `/v1/trials/${later.body.id}`, {
      token: owner.token,
      body: { title: "Renamed", slots: 5 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id: later.body.id,
      title: "Renamed",
      slots: 5,
      remaining: 5,
      status: "SCHEDULED",
    });
    const read = await api("GET", `/v1/trials/${later.body.id}`);
    expect(read.body).toMatchObject({ title: "Renamed", slots: 5, remaining: 5 });

    const byRival = await api("PATCH", `/v1/trials/${later.body.id}`, {
      token: rival.token,
      body: { title: "Mine now" },
    });
    expect(byRival.status).toBe(403);
    expect(errorCode(byRival)).toBe("NOT_THE_OWNER");

    const open = await postTrial(owner, productId);
    const tooLate = await api("PATCH", `/v1/trials/${open.body.id}`, {
      token: owner.token,
      body: { slots: 10 },
    });
    expect(tooLate.status).toBe(409);
    expect(errorCode(tooLate)).toBe("TRIAL_ALREADY_OPEN");
    expect((await api("GET", `/v1/trials/${open.body.id}`)).body.slots).toBe(2);
  });

  it("cancel answers 200 CANCELLED; applying afterwards is 409 TRIAL_CANCELLED", async () => {
    const [owner, rival] = await createUsers("COMPANY", 2);
    if (!owner || !rival) throw new Error("no companies");
    const trial = await createTrial(owner);
    const byRival = await api("POST", `/v1/trials/${trial.id}/cancel`, { token: rival.token });
    expect(byRival.status).toBe(403);
    expect(errorCode(byRival)).toBe("NOT_THE_OWNER");

    const cancelled = await api("POST", `/v1/trials/${trial.id}/cancel`, { token: owner.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: trial.id, status: "CANCELLED" });
    const member = await createUser("MEMBER");
    for (let server = 0; server < baseUrls.length; server++) {
      expect((await api("GET", `/v1/trials/${trial.id}`, { server })).body.status).toBe(
        "CANCELLED",
      );
      const applied = await api("POST", `/v1/trials/${trial.id}/applications`, {
        token: member.token,
        body: {},
        server,
      });
      expect(applied.status).toBe(409);
      expect(errorCode(applied)).toBe("TRIAL_CANCELLED");
    }
    const listed = await api("GET", `/v1/trials?productId=${trial.productId}&status=CANCELLED`);
    expect(ids(listed.body.items)).toEqual([trial.id]);
  });
});
