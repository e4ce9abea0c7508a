import type { Cache } from "../../core/ports/cache";

/**
 * Read-through: the cached value when there is one, else `load()` (the source of truth),
 * stored for `ttlSeconds`. Values must be JSON-safe (cache the presented shape, not rows
 * with Date objects). A miss that loads null caches nothing, so a 404 is never sticky.
 */
export async function readThrough<T>(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<T | null>,
  waitUntil?: (p: Promise<unknown>) => void,
): Promise<T | null> {
  if (cache.enabled) {
    const hit = await cache.get<T>(key);
    if (hit !== null) return hit;
  }
  const value = await load();
  if (value !== null && cache.enabled) {
    const write = cache.set(key, value, ttlSeconds);
    if (waitUntil) waitUntil(write);
    else await write;
  }
  return value;
}
