import { describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createTrial, createUser, sql } from "../support/contract/fixtures";

/**
 * What the OpenAPI fuzzer (test/input-rules/openapi-fuzz.contract.test.ts) found beyond issue 13's list, one class per
 * test, on both runtimes.
 */
describe("found by the fuzzer", () => {
  it("refuses a JSON body nested thousands of levels deep: 400, not a stack overflow", async () => {
    const company = await createUser("COMPANY");
    const name = `deep-${crypto.randomUUID()}`;
    const deep = `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`;
    const deepArray = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
    for (const extra of [deep, deepArray]) {
      const res = await api("POST", "/v1/products", {
        token: company.token,
        raw: `{"name":${JSON.stringify(name)},"description":"fine","extra":${extra}}`,
        headers: { "content-type": "application/json" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
      expect(res.body.error.details).toEqual([
        { path: "", message: "must not nest more than 32 levels deep" },
      ]);
    }
    // Refused before anything else reads it, signed in or not.
    const anonymous = await api("POST", `/v1/trials/${crypto.randomUUID()}/reviews`, {
      raw: `{"rating":5,"x":${deep}}`,
      headers: { "content-type": "application/json" },
    });
    expect(anonymous.status).toBe(400);
    expect(await sql("SELECT 1 FROM products WHERE name = $1", [name])).toHaveLength(0);
  });

  it("takes a body nested as deep as the limit", async () => {
    const company = await createUser("COMPANY");
    const nested = `${'{"a":'.repeat(30)}1${"}".repeat(30)}`;
    const res = await api("POST", "/v1/products", {
      token: company.token,
      raw: `{"name":"Nested but fine","description":"fine","extra":${nested}}`,
      headers: { "content-type": "application/json" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it("refuses a lone surrogate in any text field: 400, nothing stored, no place at the gate", async () => {
    const company = await createUser("COMPANY");
    const name = `surrogate-${crypto.randomUUID()}`;
    // JSON carries a lone surrogate as a \ud800 escape; UTF-8 (and so Postgres) cannot.
    const product = await api("POST", "/v1/products", {
      token: company.token,
      raw: `{"name":${JSON.stringify(name).slice(0, -1)}\\ud800","description":"fine"}`,
      headers: { "content-type": "application/json" },
    });
    expect(product.status, JSON.stringify(product.body)).toBe(400);
    expect(product.body.error.details).toEqual([
      { path: "name", message: "must not contain a lone surrogate (U+D800..U+DFFF)" },
    ]);
    expect(await sql("SELECT 1 FROM products WHERE name LIKE $1", [`${name}%`])).toHaveLength(0);

    const trial = await createTrial(company, { slots: 2, waitlistSize: 0 });
    const member = await createUser("MEMBER");
    const applied = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: member.token,
      body: { note: "half a pair \udc00" },
    });
    expect(applied.status).toBe(400);
    expect(applied.body.error.details[0].path).toBe("note");
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({ applicants: 0 });
  });

  it("keeps whole astral characters and combining marks exactly as sent", async () => {
    const company = await createUser("COMPANY");
    const name = `👩‍👩‍👧 e\u0301 𠀀 ${crypto.randomUUID()}`;
    const res = await api("POST", "/v1/products", {
      token: company.token,
      body: { name, description: "\u0001\u007f\u2028" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(
      await sql("SELECT name, description FROM products WHERE id = $1", [res.body.id]),
    ).toEqual([{ name, description: "\u0001\u007f\u2028" }]);
  });
});
