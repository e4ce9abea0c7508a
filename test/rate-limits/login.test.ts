import { describe, expect, it } from "vitest";
import { createUser, FIXTURE_PASSWORD } from "../helpers/fixtures";
import { errorCode } from "../helpers/http";
import { awayFromWindowEdge, limitedApp, redis, sha256Hex, uniqueIp } from "./limited-app";

const WINDOW = 3600;

function expectRateLimited(res: { status: number; headers: Headers; body: unknown }) {
  expect(res.status).toBe(429);
  expect(errorCode(res as never)).toBe("RATE_LIMITED");
  const retryAfter = res.headers.get("retry-after");
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(WINDOW);
}

describe("POST /v1/auth/login per e-mail", () => {
  const call = limitedApp({
    RATE_LIMIT_LOGIN_PER_EMAIL: `3/${WINDOW}`,
    RATE_LIMIT_LOGIN_PER_IP: `1000/${WINDOW}`,
  });

  it("refuses the 4th attempt on one e-mail with 429 and Retry-After, even with the right password", async () => {
    await awayFromWindowEdge(WINDOW);
    const victim = await createUser("MEMBER");
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) {
      const res = await call("POST", "/v1/auth/login", {
        ip,
        body: { email: victim.email, password: `guess-${i}` },
      });
      expect(res.status).toBe(401);
    }
    const fourth = await call("POST", "/v1/auth/login", {
      ip,
      body: { email: victim.email, password: FIXTURE_PASSWORD },
    });
    expectRateLimited(fourth);

    // The same account from another address, spelled differently: still the same counter.
    const disguised = await call("POST", "/v1/auth/login", {
      ip: uniqueIp(),
      body: { email: `  ${victim.email.toUpperCase()} `, password: FIXTURE_PASSWORD },
    });
    expectRateLimited(disguised);

    // Another account from the attacker's address is not locked out by it.
    const other = await createUser("MEMBER");
    const ok = await call("POST", "/v1/auth/login", {
      ip,
      body: { email: other.email, password: FIXTURE_PASSWORD },
    });
    expect(ok.status).toBe(200);
  });

  it("stores only a digest of the e-mail in Redis, never the address", async () => {
    await awayFromWindowEdge(WINDOW);
    const user = await createUser("MEMBER");
    const res = await call("POST", "/v1/auth/login", {
      ip: uniqueIp(),
      body: { email: user.email, password: "wrong password" },
    });
    expect(res.status).toBe(401);
    const bucket = Math.floor(Date.now() / (WINDOW * 1000));
    const key = `tryit:rl:login-email:${await sha256Hex(user.email)}:${bucket}`;
    expect(await redis().get(key)).toBe(1);
    expect(await redis().keys(`*${user.email}*`)).toEqual([]);
    expect(await redis().keys(`*${user.id}*`)).toEqual([]);
  });

  it("still answers a bad body with its 400, not a 500, and does not count it", async () => {
    await awayFromWindowEdge(WINDOW);
    const user = await createUser("MEMBER");
    const ip = uniqueIp();
    const malformed = await call("POST", "/v1/auth/login", { ip, raw: '{"email": ' });
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("MALFORMED_JSON");
    for (let i = 0; i < 5; i++) {
      const invalid = await call("POST", "/v1/auth/login", {
        ip,
        body: { email: user.email, password: "" },
      });
      expect(invalid.status).toBe(400);
      expect(errorCode(invalid)).toBe("VALIDATION_FAILED");
    }
    const notAnObject = await call("POST", "/v1/auth/login", { ip, body: ["x"] });
    expect(notAnObject.status).toBe(400);
    // Six refused bodies for this e-mail, yet a real login still has all three attempts.
    const ok = await call("POST", "/v1/auth/login", {
      ip,
      body: { email: user.email, password: FIXTURE_PASSWORD },
    });
    expect(ok.status).toBe(200);
  });
});

describe("POST /v1/auth/login per address", () => {
  const call = limitedApp({
    RATE_LIMIT_LOGIN_PER_IP: `4/${WINDOW}`,
    RATE_LIMIT_LOGIN_PER_EMAIL: `1000/${WINDOW}`,
  });

  it("refuses the 5th attempt from one address across different e-mails; other addresses pass", async () => {
    await awayFromWindowEdge(WINDOW);
    const ip = uniqueIp();
    for (let i = 0; i < 4; i++) {
      const res = await call("POST", "/v1/auth/login", {
        ip,
        body: { email: `nobody-${crypto.randomUUID()}@tryit.test`, password: "spray" },
      });
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe("INVALID_CREDENTIALS");
    }
    const user = await createUser("MEMBER");
    const fifth = await call("POST", "/v1/auth/login", {
      ip,
      body: { email: user.email, password: FIXTURE_PASSWORD },
    });
    expectRateLimited(fifth);

    const elsewhere = await call("POST", "/v1/auth/login", {
      ip: uniqueIp(),
      body: { email: user.email, password: FIXTURE_PASSWORD },
    });
    expect(elsewhere.status).toBe(200);
  });
});
