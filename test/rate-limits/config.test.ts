import { describe, expect, it } from "vitest";
import { awayFromWindowEdge, limitedApp, uniqueIp } from "./limited-app";

const WINDOW = 3600;

/** Logins with unknown e-mails from one address until the first 429; the count admitted. */
async function admittedLogins(call: ReturnType<typeof limitedApp>, attempts: number) {
  const ip = uniqueIp();
  let admitted = 0;
  for (let i = 0; i < attempts; i++) {
    const res = await call("POST", "/v1/auth/login", {
      ip,
      body: { email: `nobody-${crypto.randomUUID()}@tryit.test`, password: "spray" },
    });
    if (res.status === 429) break;
    expect(res.status).toBe(401);
    admitted++;
  }
  return admitted;
}

describe("rate limits come from the environment", () => {
  it("admits 2 or 4 logins per address as RATE_LIMIT_LOGIN_PER_IP says", async () => {
    await awayFromWindowEdge(WINDOW);
    const two = limitedApp({ RATE_LIMIT_LOGIN_PER_IP: `2/${WINDOW}` });
    const four = limitedApp({ RATE_LIMIT_LOGIN_PER_IP: `4/${WINDOW}` });
    expect(await admittedLogins(two, 6)).toBe(2);
    expect(await admittedLogins(four, 6)).toBe(4);
  });

  it("are off without Redis (the embedded default)", async () => {
    const call = limitedApp({
      UPSTASH_REDIS_REST_URL: undefined,
      UPSTASH_REDIS_REST_TOKEN: undefined,
      RATE_LIMIT_LOGIN_PER_IP: `1/${WINDOW}`,
    });
    expect(await admittedLogins(call, 4)).toBe(4);
  });

  it("fail open: with Redis unreachable, logins keep working", async () => {
    const call = limitedApp({
      // Nothing listens on port 9 (discard) here: every connection is refused.
      UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9",
      RATE_LIMIT_LOGIN_PER_IP: `1/${WINDOW}`,
    });
    expect(await admittedLogins(call, 3)).toBe(3);
  });
});
