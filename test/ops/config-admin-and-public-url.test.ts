import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../workers/config";

const base = env as unknown as Record<string, unknown>;

describe("configuration that would grant ADMIN or forge links", () => {
  it("refuses ADMIN_EMAILS at startup, even empty, instead of ignoring it", () => {
    for (const value of ["root@tryit.test", ""]) {
      expect(() => parseConfig({ ...base, ADMIN_EMAILS: value })).toThrow(ConfigError);
      expect(() => parseConfig({ ...base, ADMIN_EMAILS: value })).toThrow(
        /ADMIN_EMAILS is no longer supported.*admin:grant/,
      );
    }
  });

  it("takes PUBLIC_URL only as an http(s) origin, and keeps it without a trailing slash", () => {
    expect(parseConfig({ ...base, PUBLIC_URL: "https://api.example.com/" }).publicUrl).toBe(
      "https://api.example.com",
    );
    expect(parseConfig({ ...base, PUBLIC_URL: "http://127.0.0.1:8787" }).publicUrl).toBe(
      "http://127.0.0.1:8787",
    );
    expect(parseConfig({ ...base, PUBLIC_URL: undefined }).publicUrl).toBeNull();
    for (const bad of [
      "api.example.com",
      "ftp://api.example.com",
      "https://api.example.com/v1",
      "https://api.example.com/?x=1",
      "https://user:pw@api.example.com",
      "javascript:alert(1)",
    ]) {
      expect(() => parseConfig({ ...base, PUBLIC_URL: bad }), bad).toThrow(/PUBLIC_URL/);
    }
  });
});
