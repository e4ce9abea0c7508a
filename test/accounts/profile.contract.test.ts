import { describe, expect, it } from "vitest";
import { expectUserShape, logIn, PASSWORD, refresh, signedIn } from "../support/contract/accounts";
import { api, baseUrls, errorCode } from "../support/contract/client";
import { createUser } from "../support/contract/fixtures";

/** An account's own profile over HTTP (/v1/users/me): read, change, password, deletion. */

describe("/v1/users/me", () => {
  it("GET answers the caller's User; without a token 401", async () => {
    const user = await createUser("COMPANY");
    const me = await api("GET", "/v1/users/me", { token: user.token });
    expect(me.status).toBe(200);
    expectUserShape(me.body);
    expect(me.body).toMatchObject({ id: user.id, email: user.email, role: "COMPANY" });
    const anonymous = await api("GET", "/v1/users/me");
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe("UNAUTHORIZED");
  });

  it("PATCH changes the name and makes the slackId pending, and the next GET shows them", async () => {
    const user = await createUser("MEMBER");
    const patched = await api("PATCH", "/v1/users/me", {
      token: user.token,
      body: { name: "New name", slackId: "W12345" },
    });
    expect(patched.status).toBe(200);
    expectUserShape(patched.body);
    expect(patched.body).toMatchObject({
      id: user.id,
      name: "New name",
      slackId: null,
      pendingSlackId: "W12345",
    });
    for (let server = 0; server < baseUrls.length; server++) {
      const me = await api("GET", "/v1/users/me", { token: user.token, server });
      expect(me.body).toMatchObject({ name: "New name", slackId: null, pendingSlackId: "W12345" });
    }
  });

  it("PATCH refuses an invalid slackId and a body that changes nothing", async () => {
    const user = await createUser("MEMBER");
    const bad = await api("PATCH", "/v1/users/me", {
      token: user.token,
      body: { slackId: "not a slack id" },
    });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe("VALIDATION_FAILED");
    expect(bad.body.error.details).toContainEqual(expect.objectContaining({ path: "slackId" }));
    const empty = await api("PATCH", "/v1/users/me", { token: user.token, body: {} });
    expect(empty.status).toBe(400);
    expect(errorCode(empty)).toBe("VALIDATION_FAILED");
  });

  it("PUT /password: 204, earlier refresh tokens revoked, only the new password logs in", async () => {
    const session = await signedIn();
    const wrongCurrent = await api("PUT", "/v1/users/me/password", {
      token: session.accessToken,
      body: { currentPassword: "not my password", newPassword: "another good password" },
    });
    expect(wrongCurrent.status).toBe(403);
    expect(errorCode(wrongCurrent)).toBe("WRONG_PASSWORD");

    const changed = await api("PUT", "/v1/users/me/password", {
      token: session.accessToken,
      body: { currentPassword: PASSWORD, newPassword: "another good password" },
    });
    expect(changed.status).toBe(204);
    expect((await refresh(session.refreshToken)).status).toBe(401);
    const oldLogin = await logIn(session.email, PASSWORD);
    expect(oldLogin.status).toBe(401);
    expect(errorCode(oldLogin)).toBe("INVALID_CREDENTIALS");
    expect((await logIn(session.email, "another good password")).status).toBe(200);
  });

  it("DELETE answers 204; the account's token and password stop working on every server", async () => {
    const session = await signedIn();
    // Warm each server's view of the account first, so a stale cached copy would show.
    for (let server = 0; server < baseUrls.length; server++) {
      const me = await api("GET", "/v1/users/me", { token: session.accessToken, server });
      expect(me.status).toBe(200);
    }
    const deleted = await api("DELETE", "/v1/users/me", { token: session.accessToken });
    expect(deleted.status).toBe(204);
    for (let server = 0; server < baseUrls.length; server++) {
      const me = await api("GET", "/v1/users/me", { token: session.accessToken, server });
      expect(me.status).toBe(401);
      expect(errorCode(me)).toBe("UNAUTHORIZED");
    }
    expect((await logIn(session.email)).status).toBe(401);
    expect((await refresh(session.refreshToken)).status).toBe(401);
  });
});
