import { describe, expect, it } from "vitest";
import { errorCode } from "../helpers/http";
import { awayFromWindowEdge, limitedApp, uniqueIp } from "./limited-app";

const WINDOW = 3600;

function newAccount() {
  return { email: `signup-${crypto.randomUUID()}@tryit.test`, password: "long-enough", name: "S" };
}

describe("POST /v1/auth/signup per address", () => {
  const call = limitedApp({ RATE_LIMIT_SIGNUP_PER_IP: `2/${WINDOW}` });

  it("refuses the 3rd sign-up from one address with 429 and Retry-After; another address passes", async () => {
    await awayFromWindowEdge(WINDOW);
    const ip = uniqueIp();
    for (let i = 0; i < 2; i++) {
      const res = await call("POST", "/v1/auth/signup", { ip, body: newAccount() });
      expect(res.status).toBe(201);
    }
    const third = await call("POST", "/v1/auth/signup", { ip, body: newAccount() });
    expect(third.status).toBe(429);
    expect(errorCode(third)).toBe("RATE_LIMITED");
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

    const other = await call("POST", "/v1/auth/signup", { ip: uniqueIp(), body: newAccount() });
    expect(other.status).toBe(201);
  });

  it("does not count sign-ups refused as invalid", async () => {
    await awayFromWindowEdge(WINDOW);
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) {
      const res = await call("POST", "/v1/auth/signup", {
        ip,
        body: { ...newAccount(), password: "short" },
      });
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
    }
    for (let i = 0; i < 2; i++) {
      const res = await call("POST", "/v1/auth/signup", { ip, body: newAccount() });
      expect(res.status).toBe(201);
    }
  });
});
