import { eq } from "drizzle-orm";
import { SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { signAccessToken } from "../../workers/auth/tokens";
import { testConfig, withDb } from "../support/workerd/db";
import { createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";

const unique = () => `user-${crypto.randomUUID()}@Tryit.Test`;

describe("POST /v1/auth/signup", () => {
  it("creates a MEMBER by default, lower-cases the e-mail and never returns the hash", async () => {
    const email = unique();
    const res = await api("POST", "/v1/auth/signup", {
      body: { email, password: "s3cret-enough", name: "  Ada  " },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      email: email.toLowerCase(),
      name: "Ada",
      role: "MEMBER",
      slackId: null,
      pendingSlackId: null,
      createdAt: expect.any(String),
    });
    const [row] = await withDb((db) => db.select().from(users).where(eq(users.id, res.body.id)));
    expect(row?.passwordHash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(row?.passwordHash).not.toContain("s3cret-enough");
  });

  it("creates a COMPANY when asked, and refuses ADMIN", async () => {
    const company = await api("POST", "/v1/auth/signup", {
      body: {
        email: unique(),
        password: "s3cret-enough",
        name: "Acme",
        role: "COMPANY",
        slackId: "U123ABC",
      },
    });
    expect(company.status).toBe(201);
    // A Slack id given at sign-up is only sent its code: pending, not linked.
    expect(company.body).toMatchObject({
      role: "COMPANY",
      slackId: null,
      pendingSlackId: "U123ABC",
    });

    const admin = await api("POST", "/v1/auth/signup", {
      body: { email: unique(), password: "s3cret-enough", name: "Eve", role: "ADMIN" },
    });
    expect(admin.status).toBe(400);
    expect(errorCode(admin)).toBe("VALIDATION_FAILED");
    expect(admin.body.error.details).toEqual([
      { path: "role", message: "must be MEMBER or COMPANY" },
    ]);
  });

  it("never makes an address ADMIN at sign-up, whatever the address (ADMIN_EMAILS is gone)", async () => {
    const res = await api("POST", "/v1/auth/signup", {
      body: { email: "Root@tryit.test", password: "s3cret-enough", name: "Root" },
    });
    expect(res.status).toBe(201);
    expect(res.body.role).toBe("MEMBER");
  });

  it("answers 409 EMAIL_TAKEN for an address already used, whatever its case", async () => {
    const email = unique();
    const first = await api("POST", "/v1/auth/signup", {
      body: { email, password: "s3cret-enough", name: "A" },
    });
    expect(first.status).toBe(201);
    const again = await api("POST", "/v1/auth/signup", {
      body: { email: email.toUpperCase(), password: "another-one", name: "B" },
    });
    expect(again.status).toBe(409);
    expect(errorCode(again)).toBe("EMAIL_TAKEN");
  });

  it("rejects malformed JSON with 400 MALFORMED_JSON", async () => {
    const res = await api("POST", "/v1/auth/signup", {
      raw: '{"email": "a@b.c", ',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("MALFORMED_JSON");
  });

  it("rejects wrong types with 400 VALIDATION_FAILED and a detail per field", async () => {
    const res = await api("POST", "/v1/auth/signup", {
      body: { email: "not-an-email", password: 12345678, name: "" },
    });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("VALIDATION_FAILED");
    const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["email", "name", "password"]);
  });

  it("rejects a body that is not JSON with 415 and an oversized one with 413", async () => {
    const form = await api("POST", "/v1/auth/signup", {
      raw: "email=a@b.c",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    expect(errorCode(form)).toBe("UNSUPPORTED_MEDIA_TYPE");

    const huge = await api("POST", "/v1/auth/signup", {
      body: { email: unique(), password: "s3cret-enough", name: "x".repeat(70_000) },
    });
    expect(huge.status).toBe(413);
    expect(errorCode(huge)).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("POST /v1/auth/login and GET /v1/users/me", () => {
  it("logs in with the right password and the token reads the caller's profile", async () => {
    const email = unique();
    await api("POST", "/v1/auth/signup", {
      body: { email, password: "s3cret-enough", name: "Lin" },
    });
    const login = await api("POST", "/v1/auth/login", {
      body: { email, password: "s3cret-enough" },
    });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: "Bearer",
      expiresIn: 900,
    });
    const me = await api("GET", "/v1/users/me", { token: login.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: email.toLowerCase(), name: "Lin", role: "MEMBER" });
  });

  it("answers the same 401 INVALID_CREDENTIALS for a wrong password and an unknown e-mail", async () => {
    const email = unique();
    await api("POST", "/v1/auth/signup", {
      body: { email, password: "s3cret-enough", name: "Lin" },
    });
    const wrong = await api("POST", "/v1/auth/login", {
      body: { email, password: "not-it-at-all" },
    });
    const unknown = await api("POST", "/v1/auth/login", {
      body: { email: unique(), password: "s3cret-enough" },
    });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe("INVALID_CREDENTIALS");
    }
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });
});

describe("access tokens", () => {
  const secret = () => testConfig().jwtSecret;
  const claims = (sub: string, role = "MEMBER") => ({
    role,
    sub,
    iss: "try-it",
    aud: "try-it-api",
  });

  it("401 UNAUTHORIZED without a token or with a non-bearer header", async () => {
    const none = await api("GET", "/v1/users/me");
    expect(none.status).toBe(401);
    expect(errorCode(none)).toBe("UNAUTHORIZED");
    const basic = await api("GET", "/v1/users/me", { headers: { authorization: "Basic YTpi" } });
    expect(basic.status).toBe(401);
  });

  it("401 for a token signed with another secret (forged)", async () => {
    const user = await createUser("MEMBER");
    const forged = await new SignJWT(claims(user.id, "ADMIN"))
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode("not-the-secret-not-the-secret-not-the-secret"));
    const res = await api("GET", "/v1/users/me", { token: forged });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("UNAUTHORIZED");
  });

  it("401 TOKEN_EXPIRED for an expired token", async () => {
    const user = await createUser("MEMBER");
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT(claims(user.id))
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(past - 900)
      .setExpirationTime(past)
      .sign(secret());
    const res = await api("GET", "/v1/users/me", { token: expired });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("TOKEN_EXPIRED");
  });

  it("401 for an unsigned `alg: none` token", async () => {
    const user = await createUser("MEMBER");
    const unsigned = new UnsecuredJWT(claims(user.id, "ADMIN"))
      .setIssuedAt()
      .setExpirationTime("10m")
      .encode();
    const res = await api("GET", "/v1/users/me", { token: unsigned });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("UNAUTHORIZED");
  });

  it("401 for a valid token whose account was deleted", async () => {
    const user = await createUser("MEMBER");
    await withDb((db) =>
      db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, user.id)),
    );
    const res = await api("GET", "/v1/users/me", { token: user.token });
    expect(res.status).toBe(401);
  });

  it("a token minted by the app verifies (the happy path of the same middleware)", async () => {
    const user = await createUser("COMPANY");
    const token = await signAccessToken({ userId: user.id, role: "COMPANY" }, secret(), 60);
    const res = await api("GET", "/v1/users/me", { token });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe("COMPANY");
  });
});
