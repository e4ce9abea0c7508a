import { describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createTrial, createUser, sql } from "../support/contract/fixtures";

/**
 * API.md, "Input rules that hold for every route" (issue 13, findings 1, 4 and 5): text that
 * Postgres cannot store is refused at the door, ids are matched in any case and answered in
 * lower case, and a JSON array is not an object.
 */
describe("input rules for every route", () => {
  it("refuses a NUL in an application's note: 400, and the gate never holds the application", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2, waitlistSize: 0 });
    const member = await createUser("MEMBER");
    const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: member.token,
      body: { note: "before\u0000after" },
    });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("VALIDATION_FAILED");
    expect(res.body.error.details).toEqual([
      { path: "note", message: "must not contain the character U+0000" },
    ]);
    const mine = await api("GET", `/v1/trials/${trial.id}/applications/me`, {
      token: member.token,
    });
    expect(mine.status).toBe(404);
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({ applicants: 0 });
  });

  it("refuses a NUL in any text field or query value, nested or not, and stores nothing", async () => {
    const company = await createUser("COMPANY");
    const name = `nul-${crypto.randomUUID()}`;
    const product = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: `${name}\u0000`, description: "fine" },
    });
    expect(product.status).toBe(400);
    expect(product.body.error.details[0].path).toBe("name");
    const rows = await sql("SELECT count(*)::int AS n FROM products WHERE name LIKE $1", [
      `${name}%`,
    ]);
    expect(rows[0]?.n).toBe(0);

    const search = await api("GET", `/v1/products?q=${encodeURIComponent("a\u0000b")}`);
    expect(search.status).toBe(400);
    expect(search.body.error.details).toEqual([
      { path: "q", message: "must not contain the character U+0000" },
    ]);
    // A key with a NUL is refused as well, even one no schema reads.
    const key = await api("POST", "/v1/products", {
      token: company.token,
      body: { name, description: "fine", "x\u0000": 1 },
    });
    expect(key.status).toBe(400);
  });

  it("refuses a JSON array (or a bare value) where an object is expected", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2, waitlistSize: 0 });
    const member = await createUser("MEMBER");
    for (const body of [[], [{}], 42, "text", null]) {
      const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
        token: member.token,
        body,
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
    }
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({ applicants: 0 });
  });

  it("matches ids in any case and answers them in lower case: one trial, one gate", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2, waitlistSize: 0 });
    const upper = trial.id.toUpperCase();
    const member = await createUser("MEMBER");
    const applied = await api("POST", `/v1/trials/${upper}/applications`, {
      token: member.token,
      body: {},
    });
    expect(applied.status).toBe(201);
    expect(applied.body.trialId).toBe(trial.id);

    const detail = await api("GET", `/v1/trials/${upper}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: trial.id, won: 1, applicants: 1 });
    // The same gate under the lower-case id: the member's one application.
    const mine = await api("GET", `/v1/trials/${trial.id}/applications/me`, {
      token: member.token,
    });
    expect(mine.body.id).toBe(applied.body.id);
  });
});
