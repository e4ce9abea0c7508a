import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../workers/config";
import { RATE_LIMITS } from "../../workers/rate-limits";
import { deployedEnv } from "../support/workerd/limited-app";

const base = () => deployedEnv() as unknown as Record<string, unknown>;

describe("rate limit configuration", () => {
  it("defaults every rule to its standard, the apply rule alone on the hot path", () => {
    const { rateLimits } = parseConfig(base());
    expect(Object.keys(rateLimits).sort()).toEqual(Object.keys(RATE_LIMITS).sort());
    for (const [key, spec] of Object.entries(RATE_LIMITS)) {
      const rule = rateLimits[key as keyof typeof RATE_LIMITS];
      expect(`${rule.limit}/${rule.windowSeconds}`).toBe(spec.standard);
      expect(rule.name).toBe(spec.name);
      expect(rule.hotPath).toBe(key === "applyPerMember");
    }
  });

  it("reads RATE_LIMIT_* as <requests>/<seconds> (what the Deno runtime uses)", () => {
    const { rateLimits } = parseConfig({
      ...base(),
      RATE_LIMIT_SIGNUP_PER_IP: "10/3600",
      RATE_LIMIT_UPLOAD_PER_USER: "7/10",
    });
    expect(rateLimits.signupPerIp).toMatchObject({ limit: 10, windowSeconds: 3600 });
    expect(rateLimits.uploadPerUser).toMatchObject({ limit: 7, windowSeconds: 10 });
  });

  it("refuses a limit or a window of zero, and anything that is not <requests>/<seconds>", () => {
    for (const text of ["0/60", "10/0", "10", "ten/60", "10/60s", "-1/60"]) {
      expect(() => parseConfig({ ...base(), RATE_LIMIT_LOGIN_PER_IP: text }), text).toThrow(
        ConfigError,
      );
    }
  });
});
