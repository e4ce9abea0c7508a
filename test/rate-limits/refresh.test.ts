import { describe, expect, it } from "vitest";
import { createUser, FIXTURE_PASSWORD } from "../support/workerd/fixtures";
import { errorCode } from "../support/workerd/http";
import {
  awayFromWindowEdge,
  deployedApp,
  expectRateLimited,
  standard,
  uniqueIp,
} from "../support/workerd/limited-app";

const perIp = standard("refreshPerIp");

/** A well-formed refresh token that no login ever issued. */
const madeUp = () => crypto.randomUUID().replaceAll("-", "").repeat(2);

describe("POST /v1/auth/refresh per address (as deployed)", () => {
  const call = deployedApp();

  it("refuses the refresh past the limit from one address, made-up tokens included; another address still refreshes", async () => {
    await awayFromWindowEdge(perIp.period, 20_000);
    const ip = uniqueIp();
    for (let i = 0; i < perIp.limit; i++) {
      const res = await call("POST", "/v1/auth/refresh", { ip, body: { refreshToken: madeUp() } });
      expect([res.status, errorCode(res)]).toEqual([401, "INVALID_REFRESH_TOKEN"]);
    }
    const user = await createUser("MEMBER");
    const elsewhere = uniqueIp();
    const login = await call("POST", "/v1/auth/login", {
      ip: elsewhere,
      body: { email: user.email, password: FIXTURE_PASSWORD },
    });
    expect(login.status).toBe(200);
    const refreshToken = login.body.refreshToken as string;

    expectRateLimited(
      await call("POST", "/v1/auth/refresh", { ip, body: { refreshToken } }),
      perIp.period,
    );
    // Refused before the token was looked at: it still works from the user's own address.
    const ok = await call("POST", "/v1/auth/refresh", { ip: elsewhere, body: { refreshToken } });
    expect(ok.status).toBe(200);
  });

  it("does not count a body refused as invalid", async () => {
    await awayFromWindowEdge(perIp.period, 20_000);
    const ip = uniqueIp();
    for (let i = 0; i < perIp.limit + 1; i++) {
      const res = await call("POST", "/v1/auth/refresh", { ip, body: { refreshToken: "" } });
      expect(res.status).toBe(400);
    }
    const res = await call("POST", "/v1/auth/refresh", { ip, body: { refreshToken: madeUp() } });
    expect(res.status).toBe(401);
  });
});
