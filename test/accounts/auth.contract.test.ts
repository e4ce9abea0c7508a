import { describe, expect, it } from "vitest";
import {
  expectUserShape,
  freshEmail,
  logIn,
  PASSWORD,
  refresh,
  signedIn,
  signUp,
} from "../support/contract/accounts";
import { api, errorCode } from "../support/contract/client";
import { createUser, FIXTURE_PASSWORD, sql } from "../support/contract/fixtures";

/** Accounts over HTTP: sign-up, login, refresh rotation, logout, and how request bodies are read. */

describe("POST /v1/auth/signup", () => {
  it("creates the account and answers 201 with the User, never a password hash", async () => {
    const email = freshEmail();
    const res = await signUp({ email, name: "Grace", role: "COMPANY", slackId: "U0123ABCD" });
    expect(res.status).toBe(201);
    expectUserShape(res.body);
    // The Slack id is sent a code, not linked (test/accounts/slack-link.contract.test.ts).
    expect(res.body).toMatchObject({
      email,
      name: "Grace",
      role: "COMPANY",
      slackId: null,
      pendingSlackId: "U0123ABCD",
    });
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    const rows = await sql("SELECT role FROM users WHERE id = $1", [res.body.id]);
    expect(rows).toEqual([{ role: "COMPANY" }]);
  });

  it("refuses an e-mail that is already taken with 409 EMAIL_TAKEN", async () => {
    const email = freshEmail();
    expect((await signUp({ email })).status).toBe(201);
    const again = await signUp({ email, name: "Someone else" });
    expect(again.status).toBe(409);
    expect(errorCode(again)).toBe("EMAIL_TAKEN");
  });

  it("refuses a short password with 400 VALIDATION_FAILED naming the field", async () => {
    const res = await signUp({ password: "short" });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("VALIDATION_FAILED");
    expect(res.body.error.details).toContainEqual(
      expect.objectContaining({ path: "password", message: expect.any(String) }),
    );
  });

  it("does not let anyone sign up as ADMIN", async () => {
    const email = freshEmail();
    const res = await signUp({ email, role: "ADMIN" });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("VALIDATION_FAILED");
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: "role" }));
    expect(await sql("SELECT 1 FROM users WHERE email = $1", [email])).toEqual([]);
  });
});

describe("POST /v1/auth/login", () => {
  it("answers 200 with a Bearer token pair whose access token identifies the user", async () => {
    const email = freshEmail();
    const created = await signUp({ email });
    const res = await logIn(email);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refreshToken: expect.any(String),
      tokenType: "Bearer",
      expiresIn: expect.any(Number),
    });
    expect(res.body.expiresIn).toBeGreaterThan(0);
    const me = await api("GET", "/v1/users/me", { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(created.body.id);
  });

  it("answers 401 INVALID_CREDENTIALS for a wrong password and for an unknown e-mail", async () => {
    const user = await createUser("MEMBER");
    const wrong = await logIn(user.email, "not the password");
    expect(wrong.status).toBe(401);
    expect(errorCode(wrong)).toBe("INVALID_CREDENTIALS");
    const unknown = await logIn(freshEmail("nobody"), FIXTURE_PASSWORD);
    expect(unknown.status).toBe(401);
    expect(errorCode(unknown)).toBe("INVALID_CREDENTIALS");
  });
});

describe("refresh and logout", () => {
  it("rotates: the new pair works and the spent refresh token is refused", async () => {
    const session = await signedIn();
    const rotated = await refresh(session.refreshToken);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ tokenType: "Bearer", expiresIn: expect.any(Number) });
    expect(rotated.body.refreshToken).not.toBe(session.refreshToken);
    const me = await api("GET", "/v1/users/me", { token: rotated.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(session.id);

    const replay = await refresh(session.refreshToken);
    expect(replay.status).toBe(401);
    expect(errorCode(replay)).toBe("INVALID_REFRESH_TOKEN");
  });

  it("logout answers 204 and the refresh token is refused afterwards", async () => {
    const session = await signedIn();
    const out = await api("POST", "/v1/auth/logout", {
      token: session.accessToken,
      body: { refreshToken: session.refreshToken },
    });
    expect(out.status).toBe(204);
    const after = await refresh(session.refreshToken);
    expect(after.status).toBe(401);
    expect(errorCode(after)).toBe("INVALID_REFRESH_TOKEN");
  });

  it("logout needs an access token", async () => {
    const res = await api("POST", "/v1/auth/logout", { body: { refreshToken: "x" } });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("UNAUTHORIZED");
  });
});

describe("request bodies", () => {
  it("JSON that does not parse is 400 MALFORMED_JSON", async () => {
    const res = await api("POST", "/v1/auth/login", {
      raw: '{"email": "a@b.test", "password": ',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("MALFORMED_JSON");
  });

  it("a body in another media type is 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const res = await api("POST", "/v1/auth/login", {
      raw: "email=a%40b.test&password=secret123",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(415);
    expect(errorCode(res)).toBe("UNSUPPORTED_MEDIA_TYPE");
  });
});
