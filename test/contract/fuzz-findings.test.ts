import { describe, expect, it } from "vitest";
import { api, errorCode } from "./support/client";
import { createUser, sql } from "./support/fixtures";

/**
 * What the OpenAPI fuzzer (test/contract/fuzz) found beyond issue 13's list, one class per
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
});
