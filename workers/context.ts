import type { Context } from "hono";
import type { Cache } from "../core/ports/cache";
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
