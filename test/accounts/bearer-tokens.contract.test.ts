import { SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createUser, type TestUser } from "../support/contract/fixtures";

// API.md "Conventions": 401 for a missing or bad token, in the one error shape.

/** Claims the API's own tokens carry (issuer and audience are pinned by the verifier). */
const claimsOf = (user: TestUser) => ({
  sub: user.id,
  role: user.role,
  iss: "try-it",
  aud: "try-it-api",
});

const me = (token: string) => api("GET", "/v1/users/me", { token });

let member: TestUser;

beforeAll(async () => {
  member = await createUser("MEMBER");
});

describe("bearer tokens", () => {
  it("the fixture's own token is accepted (so the refusals below are about the token)", async () => {
    const res = await me(member.token);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(member.id);
  });

  it("401 UNAUTHORIZED without a token, for a malformed one, and for a non-bearer scheme", async () => {
    const cases: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: "Bearer not-a-jwt" },
      { authorization: "Bearer " },
      { authorization: `Bearer ${member.token}.extra` },
      { authorization: `Basic ${btoa("user:password")}` },
      { authorization: member.token },
    ];
    for (const headers of cases) {
      const res = await api("GET", "/v1/users/me", headers ? { headers } : {});
      expect([res.status, errorCode(res)], JSON.stringify(headers)).toEqual([401, "UNAUTHORIZED"]);
    }
  });

  it("401 TOKEN_EXPIRED for a correctly signed token past its exp", async () => {
    const secret = new TextEncoder().encode(inject("jwtSecret"));
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ role: member.role })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(member.id)
      .setIssuer("try-it")
      .setAudience("try-it-api")
      .setIssuedAt(past - 900)
      .setExpirationTime(past)
      .sign(secret);
    const res = await me(expired);
    expect([res.status, errorCode(res)]).toEqual([401, "TOKEN_EXPIRED"]);
  });

  it("401 UNAUTHORIZED for an unsigned alg:none token and for one signed with another secret", async () => {
    // Both claim ADMIN: accepting either would be a privilege escalation.
    const unsigned = new UnsecuredJWT({ ...claimsOf(member), role: "ADMIN" })
      .setIssuedAt()
      .setExpirationTime("10m")
      .encode();
    const forged = await new SignJWT({ ...claimsOf(member), role: "ADMIN" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode("not-the-secret-not-the-secret-not-the-secret"));
    for (const token of [unsigned, forged]) {
      const res = await api("GET", "/v1/admin/users", { token });
      expect([res.status, errorCode(res)]).toEqual([401, "UNAUTHORIZED"]);
    }
  });
});
