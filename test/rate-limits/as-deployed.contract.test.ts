import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { gradientPng } from "../../scripts/seed/png";
import { parseRate, RATE_LIMITS, type RateLimitKey } from "../../workers/rate-limits";
import { errorCode, target } from "../support/contract/client";
import {
  createUser,
  createUsers,
  FIXTURE_PASSWORD,
  type TestUser,
} from "../support/contract/fixtures";
import { freshSlackId } from "../support/contract/slack";
import { type StartedTarget, startTarget } from "../support/setup/contract-targets";
import { type ApiResponse, apiOver, type CallOptions } from "../support/shared/api";
import { catalogFixtures } from "../support/shared/catalog-fixtures";

// API.md "Input rules": sign-up, login, refresh, apply and uploads answer 429 RATE_LIMITED
// with Retry-After past their limit, in every configuration: the suite's shared target runs
// with limits raised out of reach (every request comes from 127.0.0.1), so these tests start
// a target of their own with the limits as they ship, and no Redis.

let _member: TestUser;
let _company: TestUser;

beforeAll(async () => {
  [_member, _company] = await Promise.all([createUser("MEMBER"), createUser("COMPANY")]);
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
