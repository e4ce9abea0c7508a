import { describe, expect, it } from "vitest";
import { retryAfterSeconds, upstashRateLimiter } from "../../workers/adapters/upstash/rate-limiter";
import { awayFromWindowEdge, redis, redisBinding } from "./limited-app";

const WINDOW = 3600;

function rule(limit: number) {
  return { name: "adapter-test", limit, windowSeconds: WINDOW };
}

describe("upstashRateLimiter", () => {
  it("refuses past the limit with the seconds left in the window", async () => {
    await awayFromWindowEdge(WINDOW);
    const limiter = upstashRateLimiter(redisBinding());
    const key = crypto.randomUUID();
    expect(await limiter.check(rule(2), key)).toEqual({ ok: true });
    expect(await limiter.check(rule(2), key)).toEqual({ ok: true });
    const before = Date.now();
    const refused = await limiter.check(rule(2), key);
    const after = Date.now();
    if (refused.ok) throw new Error("the third attempt was admitted");
    // The window ends on the next multiple of its length since the epoch.
    const windowEnd = (Math.floor(before / (WINDOW * 1000)) + 1) * WINDOW * 1000;
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(Math.ceil((windowEnd - after) / 1000));
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(Math.ceil((windowEnd - before) / 1000));
  });

  it("refuses a blocked key from memory, without another Redis round trip", async () => {
    await awayFromWindowEdge(WINDOW);
    const limiter = upstashRateLimiter(redisBinding());
    const key = crypto.randomUUID();
    for (let i = 0; i < 8; i++) await limiter.check(rule(2), key);
    // The fixed window counts every attempt that reaches Redis: 2 admitted, the 3rd
    // refused there; the 5 after it never left the isolate.
    const bucket = Math.floor(Date.now() / (WINDOW * 1000));
    expect(await redis().get(`tryit:rl:adapter-test:${key}:${bucket}`)).toBe(3);
    expect((await limiter.check(rule(2), key)).ok).toBe(false);
  });

  it("fails open at once when Redis is unreachable", async () => {
    // Nothing listens on port 9 (discard) here: every connection is refused.
    const limiter = upstashRateLimiter({ url: "http://127.0.0.1:9", token: "any" });
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      expect(await limiter.check(rule(1), "same-key")).toEqual({ ok: true });
    }
    // Each far under the 1 s timeout: a refused connection is not retried.
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("retryAfterSeconds", () => {
  const now = 1_700_000_000_000;
  it("rounds up to whole seconds", () => {
    expect(retryAfterSeconds(now + 1, now)).toBe(1);
    expect(retryAfterSeconds(now + 1000, now)).toBe(1);
    expect(retryAfterSeconds(now + 1001, now)).toBe(2);
    expect(retryAfterSeconds(now + 59_999, now)).toBe(60);
  });
  it("is never below 1, even for a window that has just ended", () => {
    expect(retryAfterSeconds(now, now)).toBe(1);
    expect(retryAfterSeconds(now - 5000, now)).toBe(1);
  });
});
