import { describe, expect, it } from "vitest";
import { logIn, logInAs, PASSWORD, refresh, signUp } from "../support/workerd/accounts";
import { api, errorCode } from "../support/workerd/http";

const changePassword = (token: string | undefined, body: unknown) =>
  api("PUT", "/v1/users/me/password", { ...(token && { token }), body });

describe("PUT /v1/users/me/password", () => {
  it("204; every session ends, the new password logs in and the old one does not", async () => {
    const account = await signUp();
    const laptop = await logIn(account);
    const phone = await logIn(account);

    const res = await changePassword(laptop.accessToken, {
      currentPassword: PASSWORD,
      newPassword: "second-password-2",
    });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();

    for (const session of [laptop, phone]) {
      const r = await refresh(session.refreshToken);
      expect(r.status).toBe(401);
      expect(errorCode(r)).toBe("INVALID_REFRESH_TOKEN");
    }
    const old = await logInAs(account, PASSWORD);
    expect(old.status).toBe(401);
    expect(errorCode(old)).toBe("INVALID_CREDENTIALS");
    const fresh = await logInAs(account, "second-password-2");
    expect(fresh.status).toBe(200);
    expect((await refresh(fresh.body.refreshToken)).status).toBe(200);
  });

  it("403 WRONG_PASSWORD for a wrong current password, and nothing changes", async () => {
    const account = await signUp();
    const session = await logIn(account);
    const res = await changePassword(session.accessToken, {
      currentPassword: "not-the-password",
      newPassword: "second-password-2",
    });
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe("WRONG_PASSWORD");
    expect((await logInAs(account, PASSWORD)).status).toBe(200);
    expect((await refresh(session.refreshToken)).status).toBe(200);
  });

  it("400 when the new password equals the current one, or breaks the length rule", async () => {
    const account = await signUp();
    const session = await logIn(account);
    const cases = [
      { currentPassword: PASSWORD, newPassword: PASSWORD },
      { currentPassword: PASSWORD, newPassword: "short" },
      { currentPassword: PASSWORD, newPassword: "x".repeat(129) },
    ];
    for (const body of cases) {
      const res = await changePassword(session.accessToken, body);
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(["newPassword"]);
    }
    const missing = await changePassword(session.accessToken, { newPassword: "long-enough-1" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].path).toBe("currentPassword");
    // None of them changed anything.
    expect((await logInAs(account, PASSWORD)).status).toBe(200);
  });

  it("401 without a token", async () => {
    const res = await changePassword(undefined, {
      currentPassword: PASSWORD,
      newPassword: "second-password-2",
    });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("UNAUTHORIZED");
  });
});
