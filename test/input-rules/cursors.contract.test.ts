import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/contract/client";
import { createTrial, createUser, type TestUser } from "../support/contract/fixtures";

/**
 * API.md, "Input rules": cursors are opaque and bounded, a forged one is 400, never 500
 * (issue 13, finding 3). Every list that takes a cursor is found in /openapi.json, so a new
 * list fails this test until it is listed here, and gets every forgery.
 */

const b64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");
const forge = (key: unknown) => b64url(JSON.stringify(key));

const ID = "0b4c8a4e-3f3a-4c51-9d7e-2f8f6f0a1b2c";
const T = Date.now();

/** Each cursor's fields with values no list ever hands out: huge, negative, wrong type, not an id. */
const FORGED: Record<string, string> = {
  "time 1e20": forge({ t: 1e20, id: ID }),
  "time 2^53": forge({ t: 2 ** 53, id: ID }),
  "time negative": forge({ t: -1, id: ID }),
  "time as text": forge({ t: String(T), id: ID }),
  "time fractional": forge({ t: T + 0.5, id: ID }),
  "id not a UUID": forge({ t: T, id: "not-a-uuid" }),
  "id a number": forge({ t: T, id: 42 }),
  "extra key": forge({ t: T, id: ID, admin: true }),
  "createdMs 1e20": forge({ createdMs: 1e20, id: ID }),
  "createdMs 2^53": forge({ createdMs: 2 ** 53, id: ID }),
  "createdMs negative": forge({ createdMs: -5, id: ID }),
  "createdMs with an id of SQL": forge({ createdMs: T, id: "' OR 1=1 --" }),
  "seq past 32 bits": forge({ seq: 2 ** 32 }),
  "seq 2^53": forge({ seq: 2 ** 53 }),
  "seq 1e20": forge({ seq: 1e20 }),
  "seq negative": forge({ seq: -1 }),
  "seq as text": forge({ seq: "5" }),
  "seq null": forge({ seq: null }),
  "trialId not a UUID": forge({ trialId: "x" }),
  "trialId a number": forge({ trialId: 7 }),
  "an array": forge([T, ID]),
  null: forge(null),
  "a number": forge(1e308),
  "not JSON": b64url("{t:1"),
  "not base64": "%%%not-base64%%%",
};

let company: TestUser;
let member: TestUser;
let admin: TestUser;
let trial: { id: string; productId: string };

beforeAll(async () => {
  [company, member, admin] = await Promise.all([
    createUser("COMPANY"),
    createUser("MEMBER"),
    createUser("ADMIN"),
  ]);
  trial = await createTrial(company, { slots: 2 });
});

/** Every list with a cursor: the concrete path to call and who may call it. */
function lists(): Record<string, { path: string; token?: string }> {
  return {
    "GET /v1/products": { path: "/v1/products" },
    "GET /v1/products/{id}/reviews": { path: `/v1/products/${trial.productId}/reviews` },
    "GET /v1/trials": { path: "/v1/trials" },
    "GET /v1/trials/{id}/reviews": { path: `/v1/trials/${trial.id}/reviews` },
    "GET /v1/trials/{id}/applications": {
      path: `/v1/trials/${trial.id}/applications`,
      token: company.token,
    },
    "GET /v1/me/applications": { path: "/v1/me/applications", token: member.token },
    "GET /v1/me/notifications": { path: "/v1/me/notifications", token: member.token },
    "GET /v1/admin/users": { path: "/v1/admin/users", token: admin.token },
    "GET /v1/stats/companies/me": { path: "/v1/stats/companies/me", token: company.token },
    // After the win (issue 17).
    "GET /v1/trials/{id}/winners": { path: `/v1/trials/${trial.id}/winners`, token: company.token },
    "GET /v1/users/me/data-access": { path: "/v1/users/me/data-access", token: member.token },
    "GET /v1/me/strikes": { path: "/v1/me/strikes", token: member.token },
    "GET /v1/admin/appeals": { path: "/v1/admin/appeals", token: admin.token },
  };
}

describe("forged cursors", () => {
  it("every list that takes a cursor is covered here", async () => {
    const doc = await api("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    const withCursor: string[] = [];
    for (const [path, ops] of Object.entries(doc.body.paths as Record<string, object>)) {
      for (const [method, op] of Object.entries(ops as Record<string, any>)) {
        if ((op.parameters ?? []).some((p: any) => p.in === "query" && p.name === "cursor")) {
          withCursor.push(`${method.toUpperCase()} ${path}`);
        }
      }
    }
    expect(withCursor.sort()).toEqual(Object.keys(lists()).sort());
  });

  it("answers 400 VALIDATION_FAILED naming the cursor, for every forgery on every list", async () => {
    const wrong: string[] = [];
    for (const [list, { path, token }] of Object.entries(lists())) {
      // Each list answers its first page: the caller and path are right, only the cursor is not.
      const first = await api("GET", path, { token });
      expect(first.status, list).toBe(200);
      for (const [forgery, cursor] of Object.entries(FORGED)) {
        const res = await api("GET", `${path}?cursor=${encodeURIComponent(cursor)}`, { token });
        const error = res.body?.error;
        const got = `${res.status} ${error?.code} ${error?.details?.[0]?.path}`;
        if (got !== "400 VALIDATION_FAILED cursor") wrong.push(`${list} with ${forgery}: ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
