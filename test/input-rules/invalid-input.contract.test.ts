import { beforeAll, describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createProduct, createUser, type TestUser } from "../support/contract/fixtures";

// API.md "Conventions": 400 for malformed or invalid input with details naming the field,
// 413/415 for oversized or non-JSON bodies, and always the one error shape.

const details = (res: { body: { error: { details: { path: string }[] } } }) =>
  res.body.error.details.map((d) => d.path);

let member: TestUser;
let company: TestUser;

beforeAll(async () => {
  [member, company] = await Promise.all([createUser("MEMBER"), createUser("COMPANY")]);
});

describe("invalid input", () => {
  it("400 VALIDATION_FAILED with details path 'id' for a path id that is not a UUID", async () => {
    const cases: [string, string, string | undefined][] = [
      ["GET", "/v1/trials/not-a-uuid", undefined],
      ["GET", "/v1/products/12345", undefined],
      ["GET", "/v1/trials/not-a-uuid/reviews", undefined],
      ["GET", "/v1/trials/not-a-uuid/applications/me", member.token],
      ["DELETE", "/v1/reviews/nope", member.token],
    ];
    for (const [method, path, token] of cases) {
      const res = await api(method, path, token ? { token } : {});
      expect([res.status, errorCode(res)], `${method} ${path}`).toEqual([400, "VALIDATION_FAILED"]);
      expect(details(res), `${method} ${path}`).toEqual(["id"]);
    }
  });

  it("400 VALIDATION_FAILED naming each field of the wrong type", async () => {
    const productId = await createProduct(company);
    const trial = await api("POST", "/v1/trials", {
      token: company.token,
      body: {
        productId,
        title: "Typed wrong",
        description: "Slots as a string, waitlist negative",
        slots: "3",
        waitlistSize: -1,
        opensAt: new Date(Date.now() - 1000).toISOString(),
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect([trial.status, errorCode(trial)]).toEqual([400, "VALIDATION_FAILED"]);
    expect(details(trial).sort()).toEqual(["slots", "waitlistSize"]);

    const product = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: 5, description: "A product" },
    });
    expect([product.status, errorCode(product)]).toEqual([400, "VALIDATION_FAILED"]);
    expect(details(product)).toEqual(["name"]);
  });

  it("unknown fields are ignored, never obeyed; a body of only unknown fields is a 400", async () => {
    const res = await api("PATCH", "/v1/users/me", {
      token: member.token,
      body: { name: "Mallory", role: "ADMIN", email: "someone-else@tryit.test" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: member.id, name: "Mallory", role: "MEMBER" });
    expect(res.body.email).toBe(member.email);

    const nothing = await api("PATCH", "/v1/users/me", {
      token: member.token,
      body: { nickname: "x" },
    });
    expect([nothing.status, errorCode(nothing)]).toEqual([400, "VALIDATION_FAILED"]);
  });

  it("400 MALFORMED_JSON for a body that does not parse, 415 for another media type, 413 past 64 KiB", async () => {
    const malformed = await api("POST", "/v1/products", {
      token: company.token,
      raw: '{"name": "broken"',
      headers: { "content-type": "application/json" },
    });
    expect([malformed.status, errorCode(malformed)]).toEqual([400, "MALFORMED_JSON"]);

    const form = await api("POST", "/v1/products", {
      token: company.token,
      raw: "name=x&description=y",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect([form.status, errorCode(form)]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);

    const huge = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: "Huge", description: "x".repeat(70 * 1024) },
    });
    expect([huge.status, errorCode(huge)]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });
});
