import { describe, expect, it } from "vitest";
import { createProduct, createTrial, createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";

const hour = 3_600_000;

function trialBody(productId: string, overrides: Record<string, unknown> = {}) {
  return {
    productId,
    title: "Early access",
    description: "Try the new thing",
    slots: 10,
    waitlistSize: 5,
    opensAt: new Date(Date.now() + hour).toISOString(),
    closesAt: new Date(Date.now() + 2 * hour).toISOString(),
    ...overrides,
  };
}

describe("products", () => {
  it("a company creates a product and anyone can read it", async () => {
    const company = await createUser("COMPANY");
    const created = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: "Kettle 2", description: "Boils faster", category: "kitchen" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      companyId: company.id,
      name: "Kettle 2",
      category: "kitchen",
      images: [],
    });
    const read = await api("GET", `/v1/products/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it("403 for a MEMBER, 401 without a token, 404 for an unknown id, 400 for a malformed id", async () => {
    const member = await createUser("MEMBER");
    const byMember = await api("POST", "/v1/products", {
      token: member.token,
      body: { name: "X" },
    });
    expect(byMember.status).toBe(403);
    expect(errorCode(byMember)).toBe("FORBIDDEN");
    const anonymous = await api("POST", "/v1/products", { body: { name: "X" } });
    expect(anonymous.status).toBe(401);
    const unknown = await api("GET", `/v1/products/${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe("PRODUCT_NOT_FOUND");
    const malformed = await api("GET", "/v1/products/not-a-uuid");
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("VALIDATION_FAILED");
  });

  it("an ADMIN must name an existing company", async () => {
    const admin = await createUser("ADMIN");
    const company = await createUser("COMPANY");
    const member = await createUser("MEMBER");
    const missing = await api("POST", "/v1/products", { token: admin.token, body: { name: "X" } });
    expect(missing.status).toBe(400);
    const notCompany = await api("POST", "/v1/products", {
      token: admin.token,
      body: { name: "X", companyId: member.id },
    });
    expect(notCompany.status).toBe(422);
    expect(errorCode(notCompany)).toBe("UNKNOWN_COMPANY");
    const ok = await api("POST", "/v1/products", {
      token: admin.token,
      body: { name: "X", companyId: company.id },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.companyId).toBe(company.id);
  });
});

describe("POST /v1/trials", () => {
  it("creates a SCHEDULED trial with live counts for the owning company", async () => {
    const company = await createUser("COMPANY");
    const productId = await createProduct(company);
    const res = await api("POST", "/v1/trials", {
      token: company.token,
      body: trialBody(productId),
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      productId,
      companyId: company.id,
      slots: 10,
      waitlistSize: 5,
      status: "SCHEDULED",
      closedReason: null,
      won: 0,
      waitlisted: 0,
      remaining: 10,
      applicants: 0,
    });
    const read = await api("GET", `/v1/trials/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it("defaults waitlistSize to 0 and is OPEN once opensAt has passed", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const read = await api("GET", `/v1/trials/${trial.id}`);
    expect(read.body).toMatchObject({ status: "OPEN", waitlistSize: 0 });
  });

  it("400 for slots ≤ 0, naming the field", async () => {
    const company = await createUser("COMPANY");
    const productId = await createProduct(company);
    for (const slots of [0, -3]) {
      const res = await api("POST", "/v1/trials", {
        token: company.token,
        body: trialBody(productId, { slots }),
      });
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(["slots"]);
    }
  });

  it("400 for wrong types (slots as a string, a fractional waitlist, a date without a zone)", async () => {
    const company = await createUser("COMPANY");
    const productId = await createProduct(company);
    const res = await api("POST", "/v1/trials", {
      token: company.token,
      body: trialBody(productId, { slots: "10", waitlistSize: 1.5, opensAt: "2026-12-01 10:00" }),
    });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["opensAt", "slots", "waitlistSize"]);
  });

  it("400 when opensAt ≥ closesAt, and when closesAt is already past", async () => {
    const company = await createUser("COMPANY");
    const productId = await createProduct(company);
    const at = new Date(Date.now() + hour).toISOString();
    const same = await api("POST", "/v1/trials", {
      token: company.token,
      body: trialBody(productId, { opensAt: at, closesAt: at }),
    });
    expect(same.status).toBe(400);
    expect(same.body.error.details).toEqual([
      { path: "closesAt", message: "must be after opensAt" },
    ]);
    const past = await api("POST", "/v1/trials", {
      token: company.token,
      body: trialBody(productId, {
        opensAt: new Date(Date.now() - 2 * hour).toISOString(),
        closesAt: new Date(Date.now() - hour).toISOString(),
      }),
    });
    expect(past.status).toBe(400);
    expect(past.body.error.details).toEqual([
      { path: "closesAt", message: "must be in the future" },
    ]);
  });

  it("422 UNKNOWN_PRODUCT for a product that does not exist", async () => {
    const company = await createUser("COMPANY");
    const res = await api("POST", "/v1/trials", {
      token: company.token,
      body: trialBody(crypto.randomUUID()),
    });
    expect(res.status).toBe(422);
    expect(errorCode(res)).toBe("UNKNOWN_PRODUCT");
  });

  it("403 for another company's product and for a MEMBER; ADMIN may open any", async () => {
    const owner = await createUser("COMPANY");
    const rival = await createUser("COMPANY");
    const member = await createUser("MEMBER");
    const admin = await createUser("ADMIN");
    const productId = await createProduct(owner);
    const byRival = await api("POST", "/v1/trials", {
      token: rival.token,
      body: trialBody(productId),
    });
    expect(byRival.status).toBe(403);
    expect(errorCode(byRival)).toBe("NOT_THE_OWNER");
    const byMember = await api("POST", "/v1/trials", {
      token: member.token,
      body: trialBody(productId),
    });
    expect(byMember.status).toBe(403);
    expect(errorCode(byMember)).toBe("FORBIDDEN");
    const byAdmin = await api("POST", "/v1/trials", {
      token: admin.token,
      body: trialBody(productId),
    });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.companyId).toBe(owner.id);
  });

  it("404 TRIAL_NOT_FOUND for an unknown trial and NOT_FOUND for an unknown route", async () => {
    const trial = await api("GET", `/v1/trials/${crypto.randomUUID()}`);
    expect(trial.status).toBe(404);
    expect(errorCode(trial)).toBe("TRIAL_NOT_FOUND");
    const route = await api("GET", "/v1/nothing-here");
    expect(route.status).toBe(404);
    expect(errorCode(route)).toBe("NOT_FOUND");
  });
});
