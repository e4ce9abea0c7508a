import type { Redis } from "@upstash/redis/cloudflare";
import type { Cache } from "../../../core/ports/cache";
import { fastRedisClient } from "./client";
import { reportCacheFailure } from "./failures";

export interface UpstashCacheOptions {
  /**
   * The longest a cache call may add to a request. A hit must beat a Postgres read to be
   * worth having, so anything slower counts as a miss and the request goes to Postgres.
   */
  timeoutMs?: number;
}

export const DEFAULT_CACHE_TIMEOUT_MS = 150;

/**
 * The Cache port on Upstash Redis (or the repo's REST bridge locally), through the
 * fetch-based SDK that runs in workerd and Deno alike. It fails open: an error, a timeout
 * or an answer that is not what was stored is a miss (get → null; set and delete just
 * resolve), logged once per isolate per kind, and never fails the request.
 *
 * One instance per isolate and configuration: the SDK client holds no I/O objects (each
 * command is a plain fetch in the calling request's context), so sharing it is safe.
 */
export function upstashCache(
  redis: { url: string; token: string },
  { timeoutMs = DEFAULT_CACHE_TIMEOUT_MS }: UpstashCacheOptions = {},
): Cache {
  const id = `${timeoutMs}\n${redis.url}\n${redis.token}`;
  let cache = perIsolate.get(id);
  if (!cache) {
    cache = build(redis, timeoutMs);
    // Configurations change only with a deploy; the bound only guards against a test
    // suite that builds many (dead ports, fake servers) in one isolate.
    if (perIsolate.size >= 16) perIsolate.clear();
    perIsolate.set(id, cache);
  }
  return cache;
}

const perIsolate = new Map<string, Cache>();

function build(redis: { url: string; token: string }, timeoutMs: number): Cache {
  let client: Redis;
  try {
    client = fastRedisClient(redis, timeoutMs);
  } catch (err) {
    reportCacheFailure("config", "construct", err);
    return brokenCache;
  }

  async function attempt<T>(op: string, call: () => Promise<T>): Promise<T | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    try {
      const outcome = await Promise.race([call().then((value) => ({ value })), timedOut]);
      if (outcome === "timeout") {
        reportCacheFailure("timeout", op, new Error(`no answer within ${timeoutMs} ms`));
        return undefined;
      }
      return outcome.value;
    } catch (err) {
      reportCacheFailure(classify(err), op, err);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    enabled: true,
    async get<T>(key: string): Promise<T | null> {
      const raw = await attempt("get", () => client.get<unknown>(key));
      if (raw === undefined || raw === null) return null;
      if (typeof raw !== "string") {
        reportCacheFailure("garbage", "get", new Error(`a ${typeof raw} instead of a string`));
        return null;
      }
      try {
        return JSON.parse(raw) as T;
      } catch (err) {
        reportCacheFailure("garbage", "get", err);
        return null;
      }
    },
    async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
      const answer = await attempt("set", () =>
        client.set(key, JSON.stringify(value), { ex: ttlSeconds }),
      );
      if (answer !== undefined && answer !== "OK") {
        reportCacheFailure("garbage", "set", new Error("SET did not answer OK"));
      }
    },
    async delete(...keys: string[]): Promise<void> {
      if (keys.length === 0) return;
      const answer = await attempt("delete", () => client.del(...keys));
      if (answer !== undefined && typeof answer !== "number") {
        reportCacheFailure("garbage", "delete", new Error("DEL did not answer a count"));
      }
    },
    async ping(): Promise<boolean> {
      return (await attempt("ping", () => client.ping())) === "PONG";
    },
  };
}

/** What a configuration the SDK refuses turns into: enabled (so /healthz says down), inert. */
const brokenCache: Cache = {
  enabled: true,
  get: async () => null,
  set: async () => {},
  delete: async () => {},
  ping: async () => false,
};

function classify(err: unknown): "garbage" | "error" | "unreachable" | "timeout" {
  const name = err instanceof Error ? err.name : "";
  if (name === "UpstashJSONParseError") return "garbage";
  if (name === "UpstashError") return "error";
  if (name === "TimeoutError" || name === "AbortError") return "timeout";
  return "unreachable";
}
