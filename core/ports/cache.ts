/**
 * Hot-read cache. A cache that is down or slow must never fail a request, so
 * implementations swallow their own errors and report a miss.
 */
export interface Cache {
  readonly enabled: boolean;
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  ping(): Promise<boolean>;
}

/** The embedded default: caching off. Every read goes to the source of truth. */
export const noCache: Cache = {
  enabled: false,
  get: async () => null,
  set: async () => {},
  delete: async () => {},
  ping: async () => true,
};
