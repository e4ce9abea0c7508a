import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { cloudflareRuntime } from "../../workers/adapters/cloudflare/runtime";
import { newApp } from "../../workers/app";
import { signAccessToken } from "../../workers/auth/tokens";
import worker from "../../workers/index";
import { testConfig } from "../support/workerd/db";
import { api, errorCode } from "../support/workerd/http";

/** The same Worker entry, with bindings that point the database somewhere dead. */
async function withDatabaseDown(path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://tryit.test${path}`, init),
    { ...env, PG_WS_PROXY: "127.0.0.1:9" } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("GET /healthz", () => {
  it("is 200 when Postgres answers", async () => {
    const res = await api("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      version: "0.1.0",
      checks: { db: "ok", cache: testConfig().redis ? "ok" : "off" },
    });
  });

  it("is 503 with Retry-After when Postgres cannot be reached", async () => {
    const res = await withDatabaseDown("/healthz");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toMatchObject({ ok: false, checks: { db: "down" } });
  });

  it("answers a route that needs the database with 503 SERVICE_UNAVAILABLE, not a 500", async () => {
    const res = await withDatabaseDown(`/v1/products/${crypto.randomUUID()}`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("SERVICE_UNAVAILABLE");
  });

  it("keeps the caller's request id and makes one otherwise", async () => {
    const kept = await api("GET", "/healthz", { headers: { "x-request-id": "abc-123" } });
    expect(kept.headers.get("x-request-id")).toBe("abc-123");
    const made = await api("GET", "/healthz", {
      headers: { "x-request-id": "bad id with spaces" },
    });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("never leaks internals: an unexpected error is a generic 500 INTERNAL", async () => {
    const app = newApp(cloudflareRuntime);
    app.get("/boom", () => {
      throw new Error("secret detail: connection string postgres://user:pw@host");
    });
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request("http://tryit.test/boom"), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: "INTERNAL", message: "Something went wrong on our side.", details: [] },
    });
    expect(text).not.toContain("secret");
  });

  it("refuses a signed token whose subject is not a user id (401, not a database error)", async () => {
    const token = await signAccessToken(
      { userId: "not-a-uuid", role: "MEMBER" },
      testConfig().jwtSecret,
      60,
    );
    const res = await api("GET", "/v1/users/me", { token });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("UNAUTHORIZED");
  });
});
