import { describe, expect, it } from "vitest";
import { createUser, FIXTURE_PASSWORD } from "../support/workerd/fixtures";
import { errorCode } from "../support/workerd/http";
import {
  awayFromWindowEdge,
  deployedApp,
  deployedBinding,
  expectRateLimited,
  sha256Hex,
  standard,
  uniqueIp,
} from "../support/workerd/limited-app";

const perEmail = standard("loginPerEmail");
const perIp = standard("loginPerIp");

describe("POST /v1/auth/login per e-mail (as deployed)", () => {
  const call = deployedApp();

  it("refuses the attempt past the limit on one e-mail with 429 and Retry-After, even with the right password", async () => {
    await awayFromWindowEdge(perEmail.period);
    const victim = await createUser("MEMBER");
    const ip = uniqueIp();
    for (let i = 0; i < perEmail.limit; i++) {
      const res = await call("POST", "/v1/auth/login", {
        ip,
        body: { email: victim.email, password: `guess-${i}` },
      });
      expect(res.status).toBe(401);
    }
    const next = await call("POST", "/v1/auth/login", {
      ip,
      body: { email: victim.email, password: FIXTURE_PASSWORD },
    });
    expectRateLimited(next, perEmail.period);

    // The same account from another address, spelled differently: still the same counter.
    const disguised = await call("POST", "/v1/auth/login", {
      ip: uniqueIp(),
      body: { email: `  ${victim.email.toUpperCase()} `, password: FIXTURE_PASSWORD },
    });
    expectRateLimited(disguised, perEmail.period);

    // Another account from the attacker's address is not locked out by it.
    const other = await createUser("MEMBER");
    const ok = await call("POST", "/v1/auth/login", {
      ip,
      body: { email: other.email, password: FIXTURE_PASSWORD },
    });
    expect(ok.status).toBe(200);
  });

  it("hands the binding only a digest of the e-mail, never the address itself", async () => {
    const seen: string[] = [];
    const binding = deployedBinding("LIMIT_LOGIN_PER_EMAIL");
    const recording = deployedApp({
      LIMIT_LOGIN_PER_EMAIL: {
        limit: (options: RateLimitOptions) => {
          seen.push(options.key);
          return binding.limit(options);
        },
      },
    });
    const user = await createUser("MEMBER");
    const res = await recording("POST", "/v1/auth/login", {
      ip: uniqueIp(),
      body: { email: user.email, password: "wrong password" },
    });
    expect(res.status).toBe(401);
    expect(seen).toEqual([await sha256Hex(user.email)]);
  });

  it("still answers a bad body with its 400, not a 500, and does not count it", async () => {
    await awayFromWindowEdge(perEmail.period);
    const user = await createUser("MEMBER");
    const ip = uniqueIp();
    const malformed = await call("POST", "/v1/auth/login", { ip, raw: '{"email": ' });
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("MALFORMED_JSON");
    for (let i = 0; i < perEmail.limit + 1; i++) {
      const invalid = await call("POST", "/v1/auth/login", {
        ip,
        body: { email: user.email, password: "" },
      });
      expect(invalid.status).toBe(400);
      expect(errorCode(invalid)).toBe("VALIDATION_FAILED");
    }
    const notAnObject = await call("POST", "/v1/auth/login", { ip, body: ["x"] });
    expect(notAnObject.status).toBe(400);
    // More refused bodies for this e-mail than its limit, yet a real login still passes.
    const ok = await call("POST", "/v1/auth/login", {
      ip,
      body: { email: user.email, password: FIXTURE_PASSWORD },
    });
    expect(ok.status).toBe(200);
  });
});

describe("POST /v1/auth/login per address (as deployed)", () => {
  const call = deployedApp();

  it("refuses the attempt past the limit from one address across different e-mails; other addresses pass", async () => {
    await awayFromWindowEdge(perIp.period, 20_000);
    const ip = uniqueIp();
    for (let i = 0; i < perIp.limit; i++) {
      const res = await call("POST", "/v1/auth/login", {
        ip,
        body: { email: `nobody-${crypto.randomUUID()}@tryit.test`, password: "spray" },
      });
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe("INVALID_CREDENTIALS");
    }
    const user = await createUser("MEMBER");
    const next = await call("POST", "/v1/auth/login", {
      ip,
      body: { email: user.email, password: FIXTURE_PASSWORD },
    });
    expectRateLimited(next, perIp.period);

    const elsewhere = await call("POST", "/v1/auth/login", {
      ip: uniqueIp(),
      body: { email: user.email, password: FIXTURE_PASSWORD },
    });
    expect(elsewhere.status).toBe(200);
  });
});
