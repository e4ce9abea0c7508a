import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { cacheKeys } from "../../workers/cache/keys";
import { invalidateUser, SECOND_DELETE_DELAY_MS } from "../../workers/services/user-lookup";
import { testConfig, waitFor, withDb } from "../support/workerd/db";
import { createUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";
import { sdk, testCache } from "../support/workerd/redis";

const redis = sdk();

/** Deps for invalidateUser as a route has them, with the background work collected. */
function invalidationDeps() {
  const pending: Promise<unknown>[] = [];
  return {
    deps: { cache: testCache(), waitUntil: (p: Promise<unknown>) => pending.push(p) },
    settled: () => Promise.all(pending),
  };
}

/** GET /me, then wait until the read-through has stored the user (it does so after replying). */
async function primeCache(token: string, userId: string) {
  const res = await api("GET", "/v1/users/me", { token });
  expect(res.status).toBe(200);
  await waitFor(async () => ((await redis.get(cacheKeys.user(userId))) ? true : undefined), {
    what: "the user in the cache",
  });
  return res.body;
}

const renameInPostgres = (id: string, name: string) =>
  withDb((db) => db.update(users).set({ name }).where(eq(users.id, id)));

describe("GET /v1/users/me through the cache", () => {
  it("serves the second read from Redis, not Postgres, until the user is invalidated", async () => {
    const member = await createUser("MEMBER");
    const first = await primeCache(member.token, member.id);

    // Behind the cache's back: a read that went to Postgres would see this name.
    await renameInPostgres(member.id, "Changed behind the cache");
    const cached = await api("GET", "/v1/users/me", { token: member.token });
    expect(cached.status).toBe(200);
    expect(cached.body).toEqual(first);

    const { deps, settled } = invalidationDeps();
    await invalidateUser(deps, member.id);
    const fresh = await api("GET", "/v1/users/me", { token: member.token });
    expect(fresh.body).toEqual({ ...first, name: "Changed behind the cache" });
    await settled();
  });

  it("stores the presented user as JSON with the configured TTL", async () => {
    const member = await createUser("MEMBER");
    const { reliability, ...user } = await primeCache(member.token, member.id);
    const stored = await redis.get<string>(cacheKeys.user(member.id));
    // Beside it, the instant before which the account's tokens are refused (none yet). A
    // member's reliability is read on every request, never cached (docs/decisions/0036).
    expect(JSON.parse(stored ?? "null")).toEqual({ user, tokensValidAfterMs: null });
    expect(reliability).toEqual({ completed: 0, missed: 0, strikes: 0, restrictedUntil: null });
    expect(stored).not.toContain("passwordHash");
    const ttl = await redis.ttl(cacheKeys.user(member.id));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(testConfig().cacheTtlSeconds);
  });

  it("shows a profile change made through PATCH /users/me at once", async () => {
    const member = await createUser("MEMBER");
    await primeCache(member.token, member.id);
    const patched = await api("PATCH", "/v1/users/me", {
      token: member.token,
      body: { name: "Renamed via the API" },
    });
    expect(patched.status).toBe(200);
    const after = await api("GET", "/v1/users/me", { token: member.token });
    expect(after.body.name).toBe("Renamed via the API");
  });

  it("stops answering for an account deleted through DELETE /users/me", async () => {
    const member = await createUser("MEMBER");
    await primeCache(member.token, member.id);
    const deleted = await api("DELETE", "/v1/users/me", { token: member.token });
    expect(deleted.status).toBe(204);
    expect((await api("GET", "/v1/users/me", { token: member.token })).status).toBe(401);
  });

  it("stops answering for an account deleted behind the cache once it is invalidated", async () => {
    const member = await createUser("COMPANY");
    await primeCache(member.token, member.id);
    await withDb((db) =>
      db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, member.id)),
    );
    const { deps, settled } = invalidationDeps();
    await invalidateUser(deps, member.id);
    expect((await api("GET", "/v1/users/me", { token: member.token })).status).toBe(401);
    // Nobody found: nothing cached, so the 401 cannot outlive a future fix either.
    expect(await redis.exists(cacheKeys.user(member.id))).toBe(0);
    await settled();
  });

  it("deletes again after a moment, removing a stale copy a racing read stored", async () => {
    const member = await createUser("MEMBER");
    const body = await primeCache(member.token, member.id);
    const { deps, settled } = invalidationDeps();
    await invalidateUser(deps, member.id);
    // A read that loaded the old row before the write committed stores it after the delete.
    await redis.set(
      cacheKeys.user(member.id),
      JSON.stringify({ user: { ...body, name: "stale" }, tokensValidAfterMs: null }),
    );
    const started = Date.now();
    await settled();
    expect(Date.now() - started).toBeGreaterThanOrEqual(SECOND_DELETE_DELAY_MS - 50);
    expect(await redis.exists(cacheKeys.user(member.id))).toBe(0);
  });

  it("treats an entry that is not this user as a miss and answers from Postgres", async () => {
    const member = await createUser("MEMBER");
    const body = await primeCache(member.token, member.id);
    const key = cacheKeys.user(member.id);
    const other = { ...body, id: crypto.randomUUID(), name: "someone else" };
    for (const junk of [
      "not json at all",
      "42",
      JSON.stringify({ id: member.id }),
      // What an earlier deploy stored: the user without its tokens' instant.
      JSON.stringify(body),
      JSON.stringify({ user: other, tokensValidAfterMs: null }),
    ]) {
      await redis.set(key, junk);
      const res = await api("GET", "/v1/users/me", { token: member.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(body);
    }
    // And the miss repaired the entry.
    await waitFor(async () => {
      const stored = await redis.get<string>(key);
      return stored && JSON.parse(stored).user?.name === body.name ? true : undefined;
    });
  });

  it("caches nothing for a token whose account does not exist", async () => {
    const member = await createUser("MEMBER");
    await withDb((db) => db.delete(users).where(eq(users.id, member.id)));
    expect((await api("GET", "/v1/users/me", { token: member.token })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100)); // past any background write
    expect(await redis.exists(cacheKeys.user(member.id))).toBe(0);
  });
});
