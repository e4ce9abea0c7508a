import type { Cache } from "../../core/ports/cache";
import { cacheKeys } from "./keys";

/**
 * Invalidation for the catalog's cached reads. Call these AFTER the write has committed
 * (never before: a read between the delete and the commit would cache the old row again),
 * and await them; they never throw (the cache fails open), so they cannot fail the write.
 *
 *   await invalidateProduct(deps.cache, product.id);   // after PATCH / DELETE /products/:id
 *   await invalidateTrial(deps.cache, trial.id);       // after POST/PATCH /trials(/:id),
 *                                                      // cancel, and any status change the
 *                                                      // cron or the consumer writes
 *   const gen = await currentGeneration(deps.cache, cacheKeys.trialListGeneration);
 *   readThrough(deps.cache, cacheKeys.trialList(gen, canonicalQuery), ttl, load)
 *
 * If Redis is unreachable when a write happens, the delete is lost and the old value can be
 * served until its TTL (CACHE_TTL_SECONDS) runs out: the TTL is the bound on staleness.
 */

/** A generation lives much longer than the list pages keyed by it (those use the cache TTL). */
export const GENERATION_TTL_SECONDS = 7 * 86_400;

/** Drops the product's detail entry and every cached product list page. */
export async function invalidateProduct(cache: Cache, productId: string): Promise<void> {
  if (!cache.enabled) return;
  await Promise.all([
    cache.delete(cacheKeys.product(productId)),
    bumpGeneration(cache, cacheKeys.productListGeneration),
  ]);
}

/** Drops the trial's detail entry and every cached trial list page (new generation). */
export async function invalidateTrial(cache: Cache, trialId: string): Promise<void> {
  if (!cache.enabled) return;
  await Promise.all([
    cache.delete(cacheKeys.trial(trialId)),
    bumpGeneration(cache, cacheKeys.trialListGeneration),
  ]);
}

/**
 * The list generation to key list pages by. A generation is a random number, not a
 * counter: the Cache port has no INCR, and all a bump needs is a value no earlier page
 * used. If the key is missing (first use, evicted, expired) a new one is stored; two
 * readers racing to do that only cost each other a miss.
 */
export async function currentGeneration(cache: Cache, key: string): Promise<number> {
  if (cache.enabled) {
    const stored = await cache.get<unknown>(key);
    if (typeof stored === "number" && Number.isSafeInteger(stored)) return stored;
  }
  return bumpGeneration(cache, key);
}

/** A new generation: every list page cached under an older one is never read again. */
export async function bumpGeneration(cache: Cache, key: string): Promise<number> {
  const generation = newGeneration();
  if (cache.enabled) await cache.set(key, generation, GENERATION_TTL_SECONDS);
  return generation;
}

function newGeneration(): number {
  const [high = 0, low = 0] = crypto.getRandomValues(new Uint32Array(2));
  // 53 bits: an exact JSON number, so it reads back as the same integer.
  return (high & 0x1f_ffff) * 0x1_0000_0000 + low;
}
