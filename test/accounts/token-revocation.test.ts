import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { REVOCATION_LIST_NAME } from "../../workers/adapters/cloudflare/revocations";
import { keepMsFor, MAX_STALENESS_MS } from "../../workers/auth/revocations";
import { signAccessToken, verifyAccessToken } from "../../workers/auth/tokens";
import { testConfig, withDb } from "../support/workerd/db";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";

/**
 * Issue 13, finding 10: JWT `iat` is in whole seconds, so a token issued just before a
 * revocation and one issued just after it in the same second would carry the same `iat`.
 * Its milliseconds (a fraction) tell them apart, on the routes that look the account up
 * and on apply.
 */

/** An instant in the middle of the current second, and tokens 40 ms on either side of it. */
async function tokensAround(userId: string) {
  const second = Math.floor(Date.now() / 1000) * 1000;
  const at = second + 500;
  const { jwtSecret } = testConfig();
  const sign = (ms: number) => signAccessToken({ userId, role: "MEMBER" }, jwtSecret, 900, ms);
  const before = await sign(at - 40);
  const after = await sign(at + 40);
  // The same second: whole seconds alone could not order them against `at`.
  const secondOf = async (t: string) => {
    const v = await verifyAccessToken(t, jwtSecret);
    if (!v.ok) throw new Error("token not valid");
    return Math.floor(v.claims.issuedAtMs / 1000);
  };
  expect(await secondOf(before)).toBe(await secondOf(after));
  return { at, before, after };
}

describe("revocation instants are compared in milliseconds", () => {
  it("requireAuth refuses a token issued in the same second before the account's instant and admits one issued after", async () => {
    const member = await createUser("MEMBER");
    const { at, before, after } = await tokensAround(member.id);
    await withDb((db) =>
      db
        .update(users)
        .set({ tokensValidAfter: new Date(at) })
        .where(eq(users.id, member.id)),
    );
    const refused = await api("GET", "/v1/users/me", { token: before });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("TOKEN_EXPIRED");
    expect((await api("GET", "/v1/users/me", { token: after })).status).toBe(200);
  });

  it("the apply path refuses a token issued in the same second before a published revocation and admits one issued after", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 5 });
    const member = await createUser("MEMBER");
    const { at, before, after } = await tokensAround(member.id);
    const list = env.REVOCATIONS.get(env.REVOCATIONS.idFromName(REVOCATION_LIST_NAME));
    await list.publish({ userId: member.id, atMs: at }, keepMsFor(900));
    // Published behind this isolate's back: its copy learns it within MAX_STALENESS_MS.
    await new Promise((r) => setTimeout(r, MAX_STALENESS_MS + 100));
    const apply = (token: string) =>
      api("POST", `/v1/trials/${trial.id}/applications`, { token, body: {} });
    expect((await apply(before)).status).toBe(401);
    expect((await apply(after)).status).toBe(201);
  });
});
