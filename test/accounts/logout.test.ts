import { describe, expect, it } from "vitest";
import { logIn, refresh, signUp, tokenRow } from "../support/workerd/accounts";
import { api, errorCode } from "../support/workerd/http";

describe("POST /v1/auth/logout", () => {
  it("204 and ends that login's family: its refresh token, and every rotation of it", async () => {
    const account = await signUp();
    const first = await logIn(account);
    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);

    // Logging out with the current token of the family.
    const res = await api("POST", "/v1/auth/logout", {
      token: rotated.body.accessToken,
      body: { refreshToken: rotated.body.refreshToken },
    });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();

    const after = await refresh(rotated.body.refreshToken);
    expect(after.status).toBe(401);
    expect(errorCode(after)).toBe("INVALID_REFRESH_TOKEN");
    expect((await tokenRow(first.refreshToken)).revokedAt).not.toBeNull();
  });

  it("leaves the caller's other logins signed in", async () => {
    const account = await signUp();
    const laptop = await logIn(account);
    const phone = await logIn(account);
    const res = await api("POST", "/v1/auth/logout", {
      token: laptop.accessToken,
      body: { refreshToken: laptop.refreshToken },
    });
    expect(res.status).toBe(204);
    expect((await refresh(phone.refreshToken)).status).toBe(200);
  });

  it("204 but revokes nothing for someone else's token (no token existence leak)", async () => {
    const victim = await signUp();
    const attacker = await signUp();
    const victimSession = await logIn(victim);
    const attackerSession = await logIn(attacker);

    const res = await api("POST", "/v1/auth/logout", {
      token: attackerSession.accessToken,
      body: { refreshToken: victimSession.refreshToken },
    });
    // That logout ended the attacker's own access tokens (docs/decisions/0024): a new one.
    const unknown = await api("POST", "/v1/auth/logout", {
      token: (await logIn(attacker)).accessToken,
      body: { refreshToken: "no-such-token-no-such-token-no-such-token00" },
    });
    expect(res.status).toBe(204);
    expect(unknown.status).toBe(204);

    expect((await tokenRow(victimSession.refreshToken)).revokedAt).toBeNull();
    expect((await refresh(victimSession.refreshToken)).status).toBe(200);
    // Nor did the attacker lose their own session by it.
    expect((await refresh(attackerSession.refreshToken)).status).toBe(200);
  });

  it("401 without an access token, even with a valid refresh token", async () => {
    const account = await signUp();
    const session = await logIn(account);
    const res = await api("POST", "/v1/auth/logout", {
      body: { refreshToken: session.refreshToken },
    });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("UNAUTHORIZED");
    expect((await refresh(session.refreshToken)).status).toBe(200);
  });

  it("400 VALIDATION_FAILED without a refresh token", async () => {
    const account = await signUp();
    const session = await logIn(account);
    const res = await api("POST", "/v1/auth/logout", { token: session.accessToken, body: {} });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("VALIDATION_FAILED");
    expect(res.body.error.details[0].path).toBe("refreshToken");
  });
});
