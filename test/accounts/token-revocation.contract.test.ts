import { describe, expect, it } from "vitest";
import { MAX_STALENESS_MS } from "../../workers/auth/revocations";
import { api, baseUrls } from "../support/contract/client";
import {
  createTrial,
  createUser,
  FIXTURE_PASSWORD,
  type TestUser,
} from "../support/contract/fixtures";

/**
 * Issue 13, finding 10: an access token dies with its account's logout, password change or
 * deletion, on every route. Routes that look the account up refuse it at once; the apply
 * path, which looks nobody up, refuses it from its server's copy of the revocation list,
 * at once on the server that took the revocation and within MAX_STALENESS_MS on every other
 * (the Deno target runs two processes on one KV; docs/decisions/0024).
 */

const servers = baseUrls.map((_, i) => i);

const apply = (trialId: string, token: string, server: number) =>
  api("POST", `/v1/trials/${trialId}/applications`, { token, body: {}, server });

const me = (token: string) => api("GET", "/v1/users/me", { token });

async function logIn(email: string, password = FIXTURE_PASSWORD) {
  const res = await api("POST", "/v1/auth/login", { body: { email, password } });
  expect(res.status).toBe(200);
  return res.body as { accessToken: string; refreshToken: string };
}

/** A member whose token every server has already used: each server's copy is loaded. */
async function memberSeenEverywhere(): Promise<TestUser & { trialId: string }> {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company, { slots: 50 });
  const member = await createUser("MEMBER");
  for (const server of servers) {
    expect([200, 201]).toContain((await apply(trial.id, member.token, server)).status);
  }
  return { ...member, trialId: trial.id };
}

/** Applies with `token` on every server, each time to a trial of its own; the statuses. */
async function applyEverywhere(token: string): Promise<number[]> {
  const company = await createUser("COMPANY");
  const statuses: number[] = [];
  for (const server of servers) {
    const trial = await createTrial(company, { slots: 50 });
    statuses.push((await apply(trial.id, token, server)).status);
  }
  return statuses;
}

const pastStaleness = () => new Promise((r) => setTimeout(r, MAX_STALENESS_MS + 100));

describe("access tokens end with the account's deletion, password change and logout", () => {
  it("a deleted member's unexpired token gets 401 on apply, at once where deleted, within a second everywhere", async () => {
    const member = await memberSeenEverywhere();
    expect((await api("DELETE", "/v1/users/me", { token: member.token, server: 0 })).status).toBe(
      204,
    );
    const res = await apply(member.trialId, member.token, 0);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("TOKEN_EXPIRED");
    await pastStaleness();
    expect(await applyEverywhere(member.token)).toEqual(servers.map(() => 401));
  });

  it("after a password change the old token gets 401 on /users/me and on apply; a new login's token works", async () => {
    const member = await memberSeenEverywhere();
    const old = await logIn(member.email);
    const changed = await api("PUT", "/v1/users/me/password", {
      token: old.accessToken,
      body: { currentPassword: FIXTURE_PASSWORD, newPassword: "a brand new password" },
    });
    expect(changed.status).toBe(204);
    // Issued right after the change, most likely within the same second as it.
    const fresh = await logIn(member.email, "a brand new password");

    for (const token of [old.accessToken, member.token]) {
      expect((await me(token)).status).toBe(401);
      expect((await apply(member.trialId, token, 0)).status).toBe(401);
    }
    expect((await me(fresh.accessToken)).status).toBe(200);
    await pastStaleness();
    expect(await applyEverywhere(old.accessToken)).toEqual(servers.map(() => 401));
    expect(await applyEverywhere(fresh.accessToken)).toEqual(servers.map(() => 201));
  });

  it("after a logout every older access token gets 401; another device recovers with its refresh token", async () => {
    const member = await memberSeenEverywhere();
    const laptop = await logIn(member.email);
    const phone = await logIn(member.email);
    const out = await api("POST", "/v1/auth/logout", {
      token: laptop.accessToken,
      body: { refreshToken: laptop.refreshToken },
    });
    expect(out.status).toBe(204);

    for (const token of [laptop.accessToken, phone.accessToken]) {
      expect((await me(token)).status).toBe(401);
      expect((await apply(member.trialId, token, 0)).status).toBe(401);
    }
    // The laptop's session ended; the phone's lives on and brings a token issued after.
    const laptopAgain = await api("POST", "/v1/auth/refresh", {
      body: { refreshToken: laptop.refreshToken },
    });
    expect(laptopAgain.status).toBe(401);
    const phoneAgain = await api("POST", "/v1/auth/refresh", {
      body: { refreshToken: phone.refreshToken },
    });
    expect(phoneAgain.status).toBe(200);
    const renewed = phoneAgain.body.accessToken as string;
    expect((await me(renewed)).status).toBe(200);

    await pastStaleness();
    expect(await applyEverywhere(phone.accessToken)).toEqual(servers.map(() => 401));
    expect(await applyEverywhere(renewed)).toEqual(servers.map(() => 201));
  });
});
