import type { Context } from "hono";
import type { BlobStore } from "../core/ports/blob-store";
import type { Cache } from "../core/ports/cache";
import type { RateLimiter } from "../core/ports/rate-limiter";
import type { TrialGates } from "../core/ports/trial-gate";
import type { DatabaseSession } from "../db/client";
import type { Role } from "./auth/roles";
import type { Config } from "./config";

/** What a runtime (Workers, Deno) hands the app for one request. */
export interface Deps {
  config: Config;
  db: DatabaseSession;
  gates: TrialGates;
  cache: Cache;
  blobs: BlobStore;
  limiter: RateLimiter;
  /** The caller's address: CF-Connecting-IP on Workers, the socket's peer on Deno. */
  clientIp: string;
  /** Keep background work (closing a connection, a cache write) alive past the response. */
  waitUntil(promise: Promise<unknown>): void;
}

export interface Runtime {
  deps(c: Context): Deps;
}

export interface Caller {
  userId: string;
  role: Role;
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    deps: Deps;
    caller: Caller;
  };
};

export type AppContext = Context<AppEnv>;
