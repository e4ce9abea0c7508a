import { describe, expect, it } from "vitest";
import { fixedWindow, retryAfterSeconds } from "../../core/ports/rate-limiter";
import { bindingRateLimiter } from "../../workers/adapters/cloudflare/rate-limiter";
import { ConfigError, parseConfig } from "../../workers/config";
import { awayFromWindowEdge, deployedEnv } from "../support/workerd/limited-app";

function limiterAndRules(overrides: Record<string, unknown> = {}) {
  const env = deployedEnv(overrides) as unknown as Record<string, unknown>;
  return { limiter: bindingRateLimiter(env), rules: parseConfig(env).rateLimits };
}

describe("bindingRateLimiter (Workers Rate Limiting bindings)", () => {
  it("admits exactly the binding's limit per key, then refuses with the period as Retry-After", async () => {
    const { limiter, rules } = limiterAndRules();
    const rule = rules.loginPerEmail;
    await awayFromWindowEdge(rule.windowSeconds);
    const key = crypto.randomUUID();
    for (let i = 0; i < rule.limit; i++)
      expect(await limiter.check(rule, key)).toEqual({ ok: true });
    expect(await limiter.check(rule, key)).toEqual({
      ok: false,
      retryAfterSeconds: rule.windowSeconds,
    });
    expect(await limiter.check(rule, key)).toMatchObject({ ok: false });
    // Another key has its own count.
    expect(await limiter.check(rule, crypto.randomUUID())).toEqual({ ok: true });
  });

  it("counts each rule on its own binding: one key used up on one rule is free on another", async () => {
    const { limiter, rules } = limiterAndRules();
    await awayFromWindowEdge(60);
    const key = crypto.randomUUID();
    for (let i = 0; i <= rules.signupPerIp.limit; i++) await limiter.check(rules.signupPerIp, key);
    expect((await limiter.check(rules.signupPerIp, key)).ok).toBe(false);
    expect(await limiter.check(rules.loginPerIp, key)).toEqual({ ok: true });
    expect(await limiter.check(rules.refreshPerIp, key)).toEqual({ ok: true });
  });

  it("refuses to run with a RATE_LIMIT_* variable: on Workers the limit is wrangler.toml's", () => {
    expect(() => limiterAndRules({ RATE_LIMIT_LOGIN_PER_IP: "100/60" })).toThrow(ConfigError);
    expect(() => limiterAndRules({ RATE_LIMIT_LOGIN_PER_IP: "100/60" })).toThrow(
      /RATE_LIMIT_LOGIN_PER_IP apply on Deno only/,
    );
  });

  it("refuses to run without one of the bindings", () => {
    expect(() => limiterAndRules({ LIMIT_APPLY_PER_MEMBER: undefined })).toThrow(
      /no rate limiting binding LIMIT_APPLY_PER_MEMBER/,
    );
  });

  it("fails open when the binding errors", async () => {
    const broken = {
      limit: async () => {
        throw new Error("binding unavailable");
      },
    };
    const { limiter, rules } = limiterAndRules({ LIMIT_LOGIN_PER_EMAIL: broken });
    for (let i = 0; i < rules.loginPerEmail.limit + 2; i++) {
      expect(await limiter.check(rules.loginPerEmail, "same-key")).toEqual({ ok: true });
    }
  });
});

describe("fixed windows", () => {
  const now = 1_700_000_000_000;
  const rule = { name: "r", limit: 1, windowSeconds: 60, hotPath: false };

  it("are aligned to the epoch and end on the next multiple of their length", () => {
    const { index, endsAt } = fixedWindow(rule, now + 1);
    expect(index).toBe(Math.floor((now + 1) / 60_000));
    expect(endsAt).toBe((index + 1) * 60_000);
    expect(fixedWindow(rule, endsAt).index).toBe(index + 1);
  });

  it("Retry-After rounds up to whole seconds and is never below 1", () => {
    expect(retryAfterSeconds(now + 1, now)).toBe(1);
    expect(retryAfterSeconds(now + 1000, now)).toBe(1);
    expect(retryAfterSeconds(now + 1001, now)).toBe(2);
    expect(retryAfterSeconds(now + 59_999, now)).toBe(60);
    expect(retryAfterSeconds(now, now)).toBe(1);
    expect(retryAfterSeconds(now - 5000, now)).toBe(1);
  });
});
