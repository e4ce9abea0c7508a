/**
 * Every cache key in one place, so a write can find every key it must invalidate. One value
 * lives under exactly one key (never a second copy keyed by name). Lists are keyed by a
 * generation number that every write to the listed table bumps, so a write invalidates all
 * list pages at once without scanning keys.
 */
export const cacheKeys = {
  user: (id: string) => `user:${id}`,
  product: (id: string) => `product:${id}`,
  trial: (id: string) => `trial:${id}`,
  trialListGeneration: "trials:list:gen",
  trialList: (generation: number, query: string) => `trials:list:${generation}:${query}`,
  productListGeneration: "products:list:gen",
  productList: (generation: number, query: string) => `products:list:${generation}:${query}`,
} as const;
