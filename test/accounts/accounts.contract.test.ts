import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { api, baseUrls, errorCode } from "../support/contract/client";
import { createUser, FIXTURE_PASSWORD, sql } from "../support/contract/fixtures";

/** Accounts: sign-up, login, refresh rotation, logout, the own profile and the admin list. */

const run = promisify(execFile);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PASSWORD = "a long enough password";

/** A unique address, lower case: the API stores e-mails lower-cased. */
const freshEmail = (tag = "acct") => `${tag}-${crypto.randomUUID()}@tryit.test`;

async function signUp(body: Record<string, unknown>) {
  return api("POST", "/v1/auth/signup", {
    body: { email: freshEmail(), password: PASSWORD, name: "Ada", ...body },
  });
}

async function logIn(email: string, password = PASSWORD) {
  return api("POST", "/v1/auth/login", { body: { email, password } });
}

/** A signed-up account and the token pair of one login. */
async function signedIn() {
  const email = freshEmail();
  const created = await signUp({ email });
  expect(created.status).toBe(201);
  const login = await logIn(email);
  expect(login.status).toBe(200);
  return {
    id: created.body.id as string,
    email,
    accessToken: login.body.accessToken as string,
    refreshToken: login.body.refreshToken as string,
  };
}

function refresh(refreshToken: string) {
  return api("POST", "/v1/auth/refresh", { body: { refreshToken } });
}

function expectUserShape(user: Record<string, unknown>) {
  expect(user).toMatchObject({
    id: expect.stringMatching(UUID),
    email: expect.any(String),
    name: expect.any(String),
    role: expect.stringMatching(/^(MEMBER|COMPANY|ADMIN)$/),
    createdAt: expect.stringMatching(ISO),
  });
  expect(user).toHaveProperty("slackId");
  // Never a password or its hash, under any name.
  expect(Object.keys(user).filter((k) => /pass|hash/i.test(k))).toEqual([]);
}

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

describe("ADMIN: only by an operator's action", () => {
  it("a sign-up is never ADMIN, not even with the address ADMIN_EMAILS used to promote", async () => {
    // root@tryit.test was this suite's ADMIN_EMAILS: whoever signed it up first became ADMIN.
    const res = await signUp({ email: "root@tryit.test" });
    expect(res.status).toBe(201);
    expect(res.body.role).toBe("MEMBER");
    const [stored] = await sql("SELECT role FROM users WHERE id = $1", [res.body.id]);
    expect(stored.role).toBe("MEMBER");
  });

  it("npm run admin:grant makes an existing account ADMIN, by e-mail or by account id", async () => {
    const byEmail = await signedIn();
    const byId = await signedIn();
    for (const account of [byEmail, byId]) {
      const before = await api("GET", "/v1/admin/users", { token: account.accessToken });
      expect(before.status).toBe(403);
    }
    await grantAdmin(byEmail.email.toUpperCase());
    await grantAdmin(byId.id);
    for (const account of [byEmail, byId]) {
      // The token the account already holds: the role is read from the stored account.
      const after = await api("GET", "/v1/admin/users", { token: account.accessToken });
      expect(after.status).toBe(200);
      expect((await logIn(account.email)).status).toBe(200);
      const me = await api("GET", "/v1/users/me", { token: account.accessToken });
      expect(me.body.role).toBe("ADMIN");
    }
    // An address nobody has is refused, and nothing is created for it.
    const unknown = freshEmail("nobody");
    await expect(grantAdmin(unknown)).rejects.toThrow(/no live account/);
    expect(await sql("SELECT 1 FROM users WHERE email = $1", [unknown])).toEqual([]);
  });
});

/** The operator's command against the target's database (and its cache, to drop the role). */
async function grantAdmin(who: string): Promise<void> {
  const env = inject("targetEnv");
  await run(resolve("node_modules/.bin/tsx"), ["scripts/make-admin.ts", who], {
    env: {
      ...process.env,
      DATABASE_URL: inject("databaseUrl"),
      ...(env.UPSTASH_REDIS_REST_URL && {
        UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL,
        UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN,
      }),
    },
  });
}

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

describe("GET /v1/admin/users", () => {
  it("lists users for an ADMIN, filtered by q and paged by limit and cursor", async () => {
    const admin = await createUser("ADMIN");
    const tag = `pager${crypto.randomUUID().slice(0, 8)}`;
    const emails: string[] = [];
    for (let i = 0; i < 3; i++) {
      const email = freshEmail(tag);
      expect((await signUp({ email })).status).toBe(201);
      emails.push(email);
    }
    const first = await api("GET", `/v1/admin/users?q=${tag}&limit=2`, { token: admin.token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(typeof first.body.nextCursor).toBe("string");
    for (const user of first.body.items) expectUserShape(user);

    const cursor = encodeURIComponent(first.body.nextCursor);
    const second = await api("GET", `/v1/admin/users?q=${tag}&limit=2&cursor=${cursor}`, {
      token: admin.token,
    });
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const seen = [...first.body.items, ...second.body.items].map((u) => u.email);
    expect(seen.sort()).toEqual([...emails].sort());
  });

  it("filters by role", async () => {
    const admin = await createUser("ADMIN");
    const tag = `roles${crypto.randomUUID().slice(0, 8)}`;
    const company = await signUp({ email: freshEmail(tag), role: "COMPANY" });
    expect((await signUp({ email: freshEmail(tag), role: "MEMBER" })).status).toBe(201);
    const res = await api("GET", `/v1/admin/users?q=${tag}&role=COMPANY`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((u: { id: string }) => u.id)).toEqual([company.body.id]);
    expect(res.body.nextCursor).toBeNull();
  });

  it("is 403 for a MEMBER and 401 without a token", async () => {
    const member = await createUser("MEMBER");
    const forbidden = await api("GET", "/v1/admin/users", { token: member.token });
    expect(forbidden.status).toBe(403);
    expect(errorCode(forbidden)).toBe("FORBIDDEN");
    const anonymous = await api("GET", "/v1/admin/users");
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe("UNAUTHORIZED");
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
