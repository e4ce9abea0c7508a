import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { DEFAULT_CACHE_TIMEOUT_MS } from "../../workers/adapters/upstash/cache";
import { reportedCacheFailures } from "../../workers/adapters/upstash/failures";
import worker from "../../workers/index";
import { createUser, type TestUser } from "../support/workerd/fixtures";
import { redisRest } from "../support/workerd/redis";

/**
 * The same Worker entry with the cache pointed at a Redis that is down, slow, or answers
 * garbage: every request must still be answered from Postgres, correctly and quickly.
 */
async function withRedisAt(url: string, path: string, init: RequestInit = {}, token?: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://tryit.test${path}`, init),
    {
      ...env,
      UPSTASH_REDIS_REST_URL: url,
      UPSTASH_REDIS_REST_TOKEN: token ?? "fake-token",
      // Production's default, not the tests' generous one.
      CACHE_TIMEOUT_MS: String(DEFAULT_CACHE_TIMEOUT_MS),
    } as Env,
    ctx,
  );
  const body = await res.json();
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: body as any };
}

const me = (url: string, user: TestUser, token?: string) =>
  withRedisAt(url, "/v1/users/me", { headers: { authorization: `Bearer ${user.token}` } }, token);

const fake = () => inject("fakeUpstash");
// Nothing listens on the discard port.
const CLOSED_PORT = "http://127.0.0.1:9";

describe("a cache that fails never fails a request", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers from Postgres when Redis cannot be reached, and /healthz says cache down", async () => {
    const member = await createUser("MEMBER");
    const res = await me(CLOSED_PORT, member);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: member.id, email: member.email, role: "MEMBER" });
    const health = await withRedisAt(CLOSED_PORT, "/healthz");
    expect(health.status).toBe(200);
    expect(health.body.checks).toEqual({ db: "ok", cache: "down" });
  });

  it("answers from Postgres when Redis refuses the token", async () => {
    const member = await createUser("MEMBER");
    const res = await me(redisRest().url, member, "not-the-token");
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(member.id);
  });

  it.each(["/not-json", "/wrong-type", "/number", "/no-result", "/server-error"])(
    "answers from Postgres when Redis answers garbage (%s)",
    async (mode) => {
      const member = await createUser("COMPANY");
      const res = await me(`${fake()}${mode}`, member);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: member.id, email: member.email, role: "COMPANY" });
      const health = await withRedisAt(`${fake()}${mode}`, "/healthz");
      expect(health.body.checks.cache).toBe("down");
    },
  );

  it("gives up on a slow Redis after the timeout instead of waiting for it", async () => {
    const member = await createUser("MEMBER");
    const started = Date.now();
    const res = await me(`${fake()}/slow`, member); // the fake answers after 3 s
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(member.id);
    // One get (timed out) and one set after the response (timed out): far below 3 s.
    expect(elapsed).toBeLessThan(1500);
    expect(reportedCacheFailures().has("timeout")).toBe(true);
    expect(DEFAULT_CACHE_TIMEOUT_MS).toBeLessThanOrEqual(200);
  });

  it("logs a kind of failure once per isolate, not once per request", async () => {
    const member = await createUser("MEMBER");
    const warn = vi.spyOn(console, "warn");
    for (let i = 0; i < 5; i++) expect((await me(CLOSED_PORT, member)).status).toBe(200);
    const lines = warn.mock.calls
      .map(([line]) => String(line))
      .filter(
        (line) =>
          line.includes('"event":"cache.degraded"') && line.includes('"kind":"unreachable"'),
      );
    // Zero if an earlier test in this isolate already reported it; never one per request.
    expect(lines.length).toBeLessThanOrEqual(1);
    expect(reportedCacheFailures().has("unreachable")).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(member.email);
      expect(line).not.toContain("fake-token");
    }
  });
});
