import { describe, expect, it } from "vitest";
import { noCache } from "../../core/ports/cache";
import {
  bumpGeneration,
  currentGeneration,
  GENERATION_TTL_SECONDS,
  invalidateProduct,
  invalidateTrial,
} from "../../workers/cache/invalidate";
import { cacheKeys } from "../../workers/cache/keys";
import { readThrough } from "../../workers/cache/read-through";
import { sdk, testCache } from "../support/workerd/redis";

const redis = sdk();
const cache = testCache;

describe("catalog invalidation", () => {
  it("invalidateProduct drops the product and starts a new product list generation", async () => {
    const id = crypto.randomUUID();
    await cache().set(cacheKeys.product(id), { id, name: "cached" }, 60);
    const before = await currentGeneration(cache(), cacheKeys.productListGeneration);
    await invalidateProduct(cache(), id);
    expect(await redis.exists(cacheKeys.product(id))).toBe(0);
    expect(await currentGeneration(cache(), cacheKeys.productListGeneration)).not.toBe(before);
  });

  it("invalidateTrial drops the trial and hides every cached list page", async () => {
    const id = crypto.randomUUID();
    await cache().set(cacheKeys.trial(id), { id, title: "cached" }, 60);
    const generation = await currentGeneration(cache(), cacheKeys.trialListGeneration);
    const page = cacheKeys.trialList(generation, "status=OPEN&limit=20");
    let loads = 0;
    const load = async () => ({ items: [`load ${++loads}`] });
    expect(await readThrough(cache(), page, 60, load)).toEqual({ items: ["load 1"] });
    expect(await readThrough(cache(), page, 60, load)).toEqual({ items: ["load 1"] }); // a hit

    await invalidateTrial(cache(), id);
    expect(await redis.exists(cacheKeys.trial(id))).toBe(0);
    const next = await currentGeneration(cache(), cacheKeys.trialListGeneration);
    expect(next).not.toBe(generation);
    const nextPage = cacheKeys.trialList(next, "status=OPEN&limit=20");
    expect(await readThrough(cache(), nextPage, 60, load)).toEqual({ items: ["load 2"] });
  });

  it("keeps one generation between writes, stored as an exact integer for a long time", async () => {
    const key = `test:generation:${crypto.randomUUID()}`;
    const first = await currentGeneration(cache(), key); // missing: created and stored
    expect(Number.isSafeInteger(first)).toBe(true);
    expect(await currentGeneration(cache(), key)).toBe(first);
    expect(await currentGeneration(cache(), key)).toBe(first);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(GENERATION_TTL_SECONDS - 60);
    const bumped = await bumpGeneration(cache(), key);
    expect(bumped).not.toBe(first);
    expect(await currentGeneration(cache(), key)).toBe(bumped);
    // Garbage under the key is replaced by a fresh generation, not trusted.
    await redis.set(key, "not a number");
    const replaced = await currentGeneration(cache(), key);
    expect(Number.isSafeInteger(replaced)).toBe(true);
    expect(await currentGeneration(cache(), key)).toBe(replaced);
    await redis.del(key);
  });

  it("does nothing, and does not throw, with caching off", async () => {
    await expect(invalidateProduct(noCache, crypto.randomUUID())).resolves.toBeUndefined();
    await expect(invalidateTrial(noCache, crypto.randomUUID())).resolves.toBeUndefined();
    expect(Number.isSafeInteger(await currentGeneration(noCache, "x"))).toBe(true);
  });
});
