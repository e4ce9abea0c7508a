import { describe, expect, it } from "vitest";
import { errorCode } from "../support/workerd/http";
import {
  awayFromWindowEdge,
  deployedApp,
  expectRateLimited,
  standard,
  uniqueIp,
} from "../support/workerd/limited-app";

const perIp = standard("signupPerIp");

function newAccount() {
  return { email: `signup-${crypto.randomUUID()}@tryit.test`, password: "long-enough", name: "S" };
}

describe("POST /v1/auth/signup per address (as deployed)", () => {
  const call = deployedApp();

  it("refuses the sign-up past the limit from one address with 429 and Retry-After; another address passes", async () => {
    await awayFromWindowEdge(perIp.period);
    const ip = uniqueIp();
    for (let i = 0; i < perIp.limit; i++) {
      const res = await call("POST", "/v1/auth/signup", { ip, body: newAccount() });
      expect(res.status).toBe(201);
    }
    const next = await call("POST", "/v1/auth/signup", { ip, body: newAccount() });
    expectRateLimited(next, perIp.period);

    const other = await call("POST", "/v1/auth/signup", { ip: uniqueIp(), body: newAccount() });
    expect(other.status).toBe(201);
  });

  it("counts a sign-up that ends in 409 EMAIL_TAKEN (what an address enumerator sends)", async () => {
    await awayFromWindowEdge(perIp.period);
    const ip = uniqueIp();
    const taken = newAccount();
    expect((await call("POST", "/v1/auth/signup", { ip, body: taken })).status).toBe(201);
    for (let i = 1; i < perIp.limit; i++) {
      const res = await call("POST", "/v1/auth/signup", { ip, body: taken });
      expect(errorCode(res)).toBe("EMAIL_TAKEN");
    }
    expectRateLimited(await call("POST", "/v1/auth/signup", { ip, body: taken }), perIp.period);
  });

  it("does not count sign-ups refused as invalid", async () => {
    await awayFromWindowEdge(perIp.period);
    const ip = uniqueIp();
    for (let i = 0; i < perIp.limit + 1; i++) {
      const res = await call("POST", "/v1/auth/signup", {
        ip,
        body: { ...newAccount(), password: "short" },
      });
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
    }
    for (let i = 0; i < perIp.limit; i++) {
      const res = await call("POST", "/v1/auth/signup", { ip, body: newAccount() });
      expect(res.status).toBe(201);
    }
  });
});
