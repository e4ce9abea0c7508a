import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { products, trials } from "../../db/schema";
import { cacheKeys } from "../../workers/cache/keys";
import { waitFor, withDb } from "../support/workerd/db";
import { createProduct, createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";
import { redisRest, sdk } from "../support/workerd/redis";

/**
 * Catalog reads through the real Redis: each test changes a row behind the cache's back
 * (a read that went to Postgres would see it), shows the cached value is served, then makes
 * a change through the API and shows the cache was invalidated.
 */
const redis = sdk();
const hour = 3_600_000;

const renameTrialInPostgres = (id: string, title: string) =>
  withDb((db) => db.update(trials).set({ title }).where(eq(trials.id, id)));
const renameProductInPostgres = (id: string, name: string) =>
  withDb((db) => db.update(products).set({ name }).where(eq(products.id, id)));

describe("product detail cache", () => {
  it("is served from Redis, dropped by PATCH, and gone after DELETE", async () => {
    redisRest();
    const company = await createUser("COMPANY");
    const id = await createProduct(company, "Original");
    expect((await api("GET", `/v1/products/${id}`)).body.name).toBe("Original");
    expect(await redis.get(cacheKeys.product(id))).not.toBeNull();

    await renameProductInPostgres(id, "Behind the cache");
    expect((await api("GET", `/v1/products/${id}`)).body.name).toBe("Original");

    await api("PATCH", `/v1/products/${id}`, {
      token: company.token,
      body: { description: "new" },
    });
    expect(await redis.get(cacheKeys.product(id))).toBeNull();
    const fresh = (await api("GET", `/v1/products/${id}`)).body;
    expect(fresh).toMatchObject({ name: "Behind the cache", description: "new" });

    expect((await api("DELETE", `/v1/products/${id}`, { token: company.token })).status).toBe(204);
    expect((await api("GET", `/v1/products/${id}`)).status).toBe(404);
  });
});

describe("trial detail and list caches", () => {
  it("caches the catalog part of a trial but never its live counts; PATCH and cancel invalidate", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, {
      opensAt: new Date(Date.now() + hour),
      closesAt: new Date(Date.now() + 2 * hour),
    });
    expect((await api("GET", `/v1/trials/${trial.id}`)).body.title).toBe("Trial under test");
    expect(await redis.get(cacheKeys.trial(trial.id))).not.toBeNull();

    await renameTrialInPostgres(trial.id, "Behind the cache");
    expect((await api("GET", `/v1/trials/${trial.id}`)).body.title).toBe("Trial under test");

    const patched = await api("PATCH", `/v1/trials/${trial.id}`, {
      token: company.token,
      body: { opensAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(patched.status).toBe(200);
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({
      title: "Behind the cache",
      status: "OPEN",
    });

    // Counts come from the gate on every read, cached entry or not.
    const [member] = await createUsers("MEMBER", 1);
    await api("POST", `/v1/trials/${trial.id}/applications`, { token: member!.token });
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({
      won: 1,
      applicants: 1,
    });

    await renameTrialInPostgres(trial.id, "Again behind");
    expect(
      (await api("POST", `/v1/trials/${trial.id}/cancel`, { token: company.token })).status,
    ).toBe(200);
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({
      title: "Again behind",
      status: "CANCELLED",
    });
  });

  it("drops cached list pages on create and when a gate's status event is written", async () => {
    const company = await createUser("COMPANY");
    const listOpen = () => api("GET", `/v1/trials?companyId=${company.id}&status=OPEN`);
    const first = await createTrial(company, { slots: 1 });
    expect((await listOpen()).body.items.map((t: { id: string }) => t.id)).toEqual([first.id]);

    const second = await createTrial(company, { slots: 1 });
    expect((await listOpen()).body.items.map((t: { id: string }) => t.id)).toEqual([
      second.id,
      first.id,
    ]);

    // The first trial fills: the gate announces CLOSED/FULL, the consumer writes it and
    // invalidates, and the cached OPEN page stops listing it.
    const [member] = await createUsers("MEMBER", 1);
    await api("POST", `/v1/trials/${first.id}/applications`, { token: member!.token });
    await waitFor(
      async () => {
        const ids = (await listOpen()).body.items.map((t: { id: string }) => t.id);
        return ids.length === 1 && ids[0] === second.id ? true : undefined;
      },
      { what: "the OPEN list to drop the filled trial" },
    );
  });
});
