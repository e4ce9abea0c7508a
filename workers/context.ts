import type { Context } from "hono";
import type { BlobStore } from "../core/ports/blob-store";
import type { Cache } from "../core/ports/cache";
import type { LiveRooms } from "../core/ports/live-rooms";
import type { Metrics } from "../core/ports/metrics";
import type { RateLimiter } from "../core/ports/rate-limiter";
import type { TrialGates } from "../core/ports/trial-gate";
import type { Role } from "../core/vocabulary/roles";
import type { DatabaseHandle } from "../db/client";
import type { RevocationView } from "./auth/revocations";
import type { Config } from "./config";

/** What a runtime (Workers, Deno) hands the app for one request. */
export interface Deps {
  config: Config;
  /** A connection per request on Workers, the isolate's pool on Deno (docs/decisions/0025). */
  db: DatabaseHandle;
  gates: TrialGates;
  /** The live trial rooms (GET /v1/trials/:id/live): the gate's object on Cloudflare, the
   * isolate's rooms on Deno. */
  liveRooms: LiveRooms;
  cache: Cache;
  blobs: BlobStore;
  /**
   * Rate limits on the platform (docs/decisions/0020): the Workers Rate Limiting bindings on
   * Cloudflare; on Deno the isolate's counters (apply) and Deno KV windows (the rest).
   */
  limiter: RateLimiter;
  /**
   * Revoked access tokens (logout, password change, deletion): this isolate's view of the
   * list on the platform's storage, so the apply path checks it without a database call
   * (docs/decisions/0024).
   */
  revocations: RevocationView;
  metrics: Metrics;
  /** The Prometheus text of this process's metrics, where a process holds them (Deno). */
  metricsText: (() => string) | null;
  /** The caller's address: CF-Connecting-IP on Workers, the socket's peer on Deno. */
  clientIp: string;
  /**
   * The pinned swagger-ui-dist files behind GET /docs (about 1.9 MB), from wherever the runtime
   * keeps them (bundled text modules on Workers, node_modules on Deno); null where absent.
   */
  docsAsset(name: DocsAssetName): Promise<string | null>;
  /** Keep background work (closing a connection, a cache write) alive past the response. */
  waitUntil(promise: Promise<unknown>): void;
}

/** The Swagger UI files GET /docs serves (workers/routes/docs.ts). */
export type DocsAssetName = "swagger-ui-bundle.js" | "swagger-ui.css";

export interface Runtime {
  deps(c: Context): Deps;
}

export interface Caller {
  userId: string;
  role: Role;
}

export type AppEnv = {
  // Each runtime reads its own bindings (adapters/cloudflare, deno/runtime.ts): the app never does.
  Bindings: object;
  Variables: {
    requestId: string;
    deps: Deps;
    caller: Caller;
  };
};

export type AppContext = Context<AppEnv>;
