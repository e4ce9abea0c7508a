import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { refreshTokens, users } from "../../db/schema";
import { claimsOf, logIn, refresh, signUp, tokenRow } from "../support/workerd/accounts";
import { withDb } from "../support/workerd/db";
import { api, errorCode } from "../support/workerd/http";

describe("POST /v1/auth/refresh", () => {
  it("exchanges a refresh token for a new working pair in the same family", async () => {
    const account = await signUp();
    const first = await logIn(account);

    const res = await refresh(first.refreshToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: "Bearer",
      expiresIn: 900,
    });
    expect(res.body.refreshToken).not.toBe(first.refreshToken);

    const me = await api("GET", "/v1/users/me", { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(account.id);

    const [spent, issued] = await Promise.all([
      tokenRow(first.refreshToken),
      tokenRow(res.body.refreshToken),
    ]);
    expect(spent.usedAt).not.toBeNull();
    expect(issued.familyId).toBe(spent.familyId);
    expect(issued.usedAt).toBeNull();
    // Only the hash is stored.
    expect(issued.tokenHash).not.toContain(res.body.refreshToken);
  });

  it("refuses a token once it has been used (rotation), and the new one keeps working", async () => {
    const account = await signUp();
    const first = await logIn(account);
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);

    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
    expect(errorCode(replay)).toBe("INVALID_REFRESH_TOKEN");
  });

  it("chains: each new token can be used once", async () => {
    const account = await signUp();
    let token = (await logIn(account)).refreshToken;
    for (let i = 0; i < 3; i++) {
      const res = await refresh(token);
      expect(res.status).toBe(200);
      token = res.body.refreshToken;
    }
  });

  it("reuse of an old token revokes its whole family, but not another login's", async () => {
    const account = await signUp();
    const laptop = await logIn(account);
    const phone = await logIn(account);

    const r2 = await refresh(laptop.refreshToken);
    const r3 = await refresh(r2.body.refreshToken);
    expect(r3.status).toBe(200);

    // Someone replays the first laptop token: the whole laptop family dies.
    const replay = await refresh(laptop.refreshToken);
    expect(replay.status).toBe(401);
    expect(errorCode(replay)).toBe("INVALID_REFRESH_TOKEN");

    const newest = await refresh(r3.body.refreshToken);
    expect(newest.status).toBe(401);
    expect(errorCode(newest)).toBe("INVALID_REFRESH_TOKEN");
    const laptopFamily = (await tokenRow(laptop.refreshToken)).familyId;
    const family = await withDb((db) =>
      db.select().from(refreshTokens).where(eq(refreshTokens.familyId, laptopFamily)),
    );
    expect(family).toHaveLength(3);
    expect(family.every((t) => t.revokedAt !== null)).toBe(true);

    // The phone logged in separately: its family is untouched.
    const phoneRefresh = await refresh(phone.refreshToken);
    expect(phoneRefresh.status).toBe(200);
  });

  it("of concurrent refreshes with one token exactly one succeeds (and the replay ends the family)", async () => {
    const account = await signUp();
    const { refreshToken } = await logIn(account);

    const results = await Promise.all(Array.from({ length: 6 }, () => refresh(refreshToken)));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 401);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(errorCode(r)).toBe("INVALID_REFRESH_TOKEN");

    // One new token was issued, no more; the losers' replays revoked it with its family.
    const familyId = (await tokenRow(refreshToken)).familyId;
    const family = await withDb((db) =>
      db.select().from(refreshTokens).where(eq(refreshTokens.familyId, familyId)),
    );
    expect(family).toHaveLength(2);
    const winner = ok[0]!.body.refreshToken as string;
    expect((await refresh(winner)).status).toBe(401);
  });

  it("401 INVALID_REFRESH_TOKEN for an unknown token", async () => {
    const res = await refresh("bm90LWEtcmVhbC10b2tlbi1ub3QtYS1yZWFsLXRva2Vu");
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("INVALID_REFRESH_TOKEN");
  });

  it("401 for an expired token, without revoking the rest of the family", async () => {
    const account = await signUp();
    const { refreshToken } = await logIn(account);
    const row = await tokenRow(refreshToken);
    await withDb((db) =>
      db
        .update(refreshTokens)
        .set({ expiresAt: sql`now() - interval '1 second'` })
        .where(eq(refreshTokens.id, row.id)),
    );
    const res = await refresh(refreshToken);
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("INVALID_REFRESH_TOKEN");
    const after = await tokenRow(refreshToken);
    expect(after.usedAt).toBeNull();
    expect(after.revokedAt).toBeNull();
  });

  it("401 for the token of an account deleted behind its back, and the family is revoked", async () => {
    const account = await signUp();
    const { refreshToken } = await logIn(account);
    await withDb((db) =>
      db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, account.id)),
    );
    const res = await refresh(refreshToken);
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("INVALID_REFRESH_TOKEN");
    expect((await tokenRow(refreshToken)).revokedAt).not.toBeNull();
  });

  it("takes the role of the new access token from the stored user", async () => {
    const account = await signUp("MEMBER");
    const { accessToken, refreshToken } = await logIn(account);
    expect(claimsOf(accessToken).role).toBe("MEMBER");
    await withDb((db) => db.update(users).set({ role: "COMPANY" }).where(eq(users.id, account.id)));

    const res = await refresh(refreshToken);
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.accessToken).role).toBe("COMPANY");
  });

  it("400 VALIDATION_FAILED for a missing, empty or oversized token", async () => {
    for (const body of [
      {},
      { refreshToken: "" },
      { refreshToken: 42 },
      // Past 512: longer than any access token, a restricted member's included (0036).
      { refreshToken: "x".repeat(513) },
    ]) {
      const res = await api("POST", "/v1/auth/refresh", { body });
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
      expect(res.body.error.details[0].path).toBe("refreshToken");
    }
  });

  it("does not accept an access token as a refresh token", async () => {
    const account = await signUp();
    const { accessToken } = await logIn(account);
    const res = await refresh(accessToken);
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("INVALID_REFRESH_TOKEN");
  });
});
