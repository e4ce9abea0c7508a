import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { gradientPng } from "../../scripts/seed/png";
import { parseRate, RATE_LIMITS, type RateLimitKey } from "../../workers/rate-limits";
import { api, errorCode, target } from "../support/contract/client";
import {
  createProduct,
  createUser,
  createUsers,
  FIXTURE_PASSWORD,
  type TestUser,
} from "../support/contract/fixtures";
import { freshSlackId } from "../support/contract/slack";
import { type StartedTarget, startTarget } from "../support/setup/contract-targets";
import { type ApiResponse, apiOver, type CallOptions } from "../support/shared/api";
import { catalogFixtures } from "../support/shared/catalog-fixtures";

// API.md "Conventions": 401 for a missing or bad token, 400 for malformed or invalid input
// with details naming the field, 413/415 for oversized or non-JSON bodies, and always the
// one error shape. API.md "Input rules": sign-up, login, refresh, apply and uploads answer
// 429 RATE_LIMITED with Retry-After past their limit, in every configuration: the suite's
// shared target runs with limits raised out of reach (every request comes from 127.0.0.1),
// so the last block starts a target of its own with the limits as they ship, and no Redis.

/** Claims the API's own tokens carry (issuer and audience are pinned by the verifier). */
const claimsOf = (user: TestUser) => ({
  sub: user.id,
  role: user.role,
  iss: "try-it",
  aud: "try-it-api",
});

const me = (token: string) => api("GET", "/v1/users/me", { token });
const details = (res: { body: { error: { details: { path: string }[] } } }) =>
  res.body.error.details.map((d) => d.path);

let member: TestUser;
let company: TestUser;

beforeAll(async () => {
  [member, company] = await Promise.all([createUser("MEMBER"), createUser("COMPANY")]);
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

describe("invalid input", () => {
  it("400 VALIDATION_FAILED with details path 'id' for a path id that is not a UUID", async () => {
    const cases: [string, string, string | undefined][] = [
      ["GET", "/v1/trials/not-a-uuid", undefined],
      ["GET", "/v1/products/12345", undefined],
      ["GET", "/v1/trials/not-a-uuid/reviews", undefined],
      ["GET", "/v1/trials/not-a-uuid/applications/me", member.token],
      ["DELETE", "/v1/reviews/nope", member.token],
    ];
    for (const [method, path, token] of cases) {
      const res = await api(method, path, token ? { token } : {});
      expect([res.status, errorCode(res)], `${method} ${path}`).toEqual([400, "VALIDATION_FAILED"]);
      expect(details(res), `${method} ${path}`).toEqual(["id"]);
    }
  });

  it("400 VALIDATION_FAILED naming each field of the wrong type", async () => {
    const productId = await createProduct(company);
    const trial = await api("POST", "/v1/trials", {
      token: company.token,
      body: {
        productId,
        title: "Typed wrong",
        description: "Slots as a string, waitlist negative",
        slots: "3",
        waitlistSize: -1,
        opensAt: new Date(Date.now() - 1000).toISOString(),
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect([trial.status, errorCode(trial)]).toEqual([400, "VALIDATION_FAILED"]);
    expect(details(trial).sort()).toEqual(["slots", "waitlistSize"]);

    const product = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: 5, description: "A product" },
    });
    expect([product.status, errorCode(product)]).toEqual([400, "VALIDATION_FAILED"]);
    expect(details(product)).toEqual(["name"]);
  });

  it("unknown fields are ignored, never obeyed; a body of only unknown fields is a 400", async () => {
    const res = await api("PATCH", "/v1/users/me", {
      token: member.token,
      body: { name: "Mallory", role: "ADMIN", email: "someone-else@tryit.test" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: member.id, name: "Mallory", role: "MEMBER" });
    expect(res.body.email).toBe(member.email);

    const nothing = await api("PATCH", "/v1/users/me", {
      token: member.token,
      body: { nickname: "x" },
    });
    expect([nothing.status, errorCode(nothing)]).toEqual([400, "VALIDATION_FAILED"]);
  });

  it("400 MALFORMED_JSON for a body that does not parse, 415 for another media type, 413 past 64 KiB", async () => {
    const malformed = await api("POST", "/v1/products", {
      token: company.token,
      raw: '{"name": "broken"',
      headers: { "content-type": "application/json" },
    });
    expect([malformed.status, errorCode(malformed)]).toEqual([400, "MALFORMED_JSON"]);

    const form = await api("POST", "/v1/products", {
      token: company.token,
      raw: "name=x&description=y",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect([form.status, errorCode(form)]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);

    const huge = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: "Huge", description: "x".repeat(70 * 1024) },
    });
    expect([huge.status, errorCode(huge)]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });
});

describe("rate limits as they ship, with no Redis (a target of their own)", () => {
  let own: StartedTarget | null = null;
  /** Requests to the rate-limited target; on Deno `server` picks one of its two processes. */
  const limited = apiOver<CallOptions & { server?: number }>((path, init, opts) => {
    if (!own) throw new Error("the rate-limited target is not running");
    return fetch(`${own.baseUrls[(opts.server ?? 0) % own.baseUrls.length]}${path}`, init);
  });
  const { createTrial } = catalogFixtures(limited);

  beforeAll(async () => {
    // The shared target's configuration minus Redis: the embedded default's situation.
    const vars = Object.fromEntries(
      Object.entries(inject("targetVars")).filter(([k]) => !k.startsWith("UPSTASH_REDIS_")),
    );
    own = await startTarget(target, vars, { rateLimits: "as-deployed" });
    const health = await limited("GET", "/healthz");
    expect(health.body.checks).toMatchObject({ db: "ok", cache: "off" });
  }, 180_000);

  afterAll(async () => {
    await own?.stop();
  });

  it("login: the attempt past the limit on one e-mail is 429 with Retry-After, even with the right password, on every server", async () => {
    const user = await createUser("MEMBER");
    const { admitted, refused } = await untilLimited("loginPerEmail", (i) =>
      limited("POST", "/v1/auth/login", {
        server: i,
        body: {
          email: user.email,
          password: i < limitOf("loginPerEmail") ? `guess-${i}` : FIXTURE_PASSWORD,
        },
      }),
    );
    expect(admitted.map((r) => r.status)).toEqual(Array(limitOf("loginPerEmail")).fill(401));
    expectRateLimited(refused, "loginPerEmail");
  });

  it("sign-up: the sign-up past the limit from one address is 429 with Retry-After", async () => {
    const { admitted, refused } = await untilLimited("signupPerIp", (i) =>
      limited("POST", "/v1/auth/signup", {
        server: i,
        body: {
          email: `limited-${crypto.randomUUID()}@tryit.test`,
          password: "long-enough",
          name: "Limited",
        },
      }),
    );
    expect(admitted.map((r) => r.status)).toEqual(Array(limitOf("signupPerIp")).fill(201));
    expectRateLimited(refused, "signupPerIp");
  });

  it("refresh: the refresh past the limit from one address is 429 with Retry-After", async () => {
    const { admitted, refused } = await untilLimited("refreshPerIp", (i) =>
      limited("POST", "/v1/auth/refresh", {
        server: i,
        body: { refreshToken: crypto.randomUUID().replaceAll("-", "").repeat(2) },
      }),
    );
    expect(admitted.map((r) => r.status)).toEqual(Array(limitOf("refreshPerIp")).fill(401));
    expectRateLimited(refused, "refreshPerIp");
  });

  it("apply: a member's repeats are 200 with the same application until the limit, then 429; waiting Retry-After admits again", async () => {
    const [company] = await createUsers("COMPANY", 1);
    const [member] = await createUsers("MEMBER", 1);
    const trial = await createTrial(company!, { slots: 5 });
    // Deno counts this limit in each isolate (no network on the hot path): one server.
    const apply = () =>
      limited("POST", `/v1/trials/${trial.id}/applications`, { token: member!.token, body: {} });
    const { admitted, refused } = await untilLimited("applyPerMember", apply);
    expect(admitted.map((r) => r.status)).toEqual([
      201,
      ...Array(limitOf("applyPerMember") - 1).fill(200),
    ]);
    expect(new Set(admitted.map((r) => r.body.id)).size).toBe(1);
    const wait = expectRateLimited(refused, "applyPerMember");

    await new Promise((r) => setTimeout(r, wait * 1000));
    const again = await apply();
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(admitted[0]?.body.id);
  });

  it("uploads: the upload past the limit for one company is 429 with Retry-After", async () => {
    const [company] = await createUsers("COMPANY", 1);
    const { admitted, refused } = await untilLimited("uploadPerUser", (i) =>
      limited("POST", "/v1/images", {
        server: i,
        token: company!.token,
        raw: gradientPng(4, 1, i),
        headers: { "content-type": "image/png" },
      }),
    );
    expect(admitted.map((r) => r.status)).toEqual(Array(limitOf("uploadPerUser")).fill(201));
    expectRateLimited(refused, "uploadPerUser");
  });

  it("Slack link codes: the code asked for past the limit for one member is 429 with Retry-After", async () => {
    const [member] = await createUsers("MEMBER", 1);
    const { admitted, refused } = await untilLimited("slackCodePerUser", (i) =>
      limited("PATCH", "/v1/users/me", {
        server: i,
        token: member!.token,
        body: { slackId: freshSlackId() },
      }),
    );
    expect(admitted.map((r) => r.status)).toEqual(Array(limitOf("slackCodePerUser")).fill(200));
    expectRateLimited(refused, "slackCodePerUser");
  });

  it("Slack link codes typed back: the try past the limit for one member is 429 with Retry-After", async () => {
    const [member] = await createUsers("MEMBER", 1);
    const set = await limited("PATCH", "/v1/users/me", {
      token: member!.token,
      body: { slackId: freshSlackId() },
    });
    expect(set.status).toBe(200);
    const { admitted, refused } = await untilLimited("slackVerifyPerUser", (i) =>
      limited("POST", "/v1/users/me/slack/verify", {
        server: i,
        token: member!.token,
        body: { code: "000000" },
      }),
    );
    // Each code dies after five wrong tries on its own; the rate limit holds past that too.
    expect(admitted.map((r) => r.status)).toEqual(
      Array.from({ length: limitOf("slackVerifyPerUser") }, (_, i) => (i < 5 ? 422 : 409)),
    );
    expectRateLimited(refused, "slackVerifyPerUser");
  });
});

const limitOf = (key: RateLimitKey) => parseRate(RATE_LIMITS[key].standard).limit;
const periodOf = (key: RateLimitKey) => parseRate(RATE_LIMITS[key].standard).windowSeconds;

/**
 * Sends `attempt(0)`, `attempt(1)`, … until the first 429, at most limit + 1 of them, all in
 * one window: the windows are fixed and aligned to the epoch on both runtimes, so this waits
 * for a fresh one when the current window is nearly over.
 */
async function untilLimited(
  key: RateLimitKey,
  attempt: (i: number) => Promise<ApiResponse>,
): Promise<{ admitted: ApiResponse[]; refused: ApiResponse }> {
  const limit = limitOf(key);
  const windowMs = periodOf(key) * 1000;
  const needMs = Math.min(windowMs * 0.6, 15_000);
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 100));
  const admitted: ApiResponse[] = [];
  for (let i = 0; i <= limit; i++) {
    const res = await attempt(i);
    if (res.status === 429) return { admitted, refused: res };
    admitted.push(res);
  }
  throw new Error(`${key}: no 429 after ${limit + 1} attempts (${RATE_LIMITS[key].standard})`);
}

/** 429 RATE_LIMITED with a Retry-After in whole seconds within the rule's period; returns it. */
function expectRateLimited(res: ApiResponse, key: RateLimitKey): number {
  expect(errorCode(res)).toBe("RATE_LIMITED");
  const header = res.headers.get("retry-after") ?? "";
  expect(header).toMatch(/^\d+$/);
  const seconds = Number(header);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(periodOf(key));
  // The Workers binding tells no reset time: Retry-After is its period (docs/decisions/0020).
  if (target === "workers") expect(seconds).toBe(periodOf(key));
  return seconds;
}
