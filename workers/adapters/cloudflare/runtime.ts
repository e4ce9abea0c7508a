import { DatabaseSession } from "../../../db/client";
import { parseConfig } from "../../config";
import type { Runtime } from "../../context";
import { cacheFor } from "../upstash/for-config";
import { r2BlobStore } from "./blob-store";
import { bundledDocsAsset } from "./docs-assets";
import { durableObjectGates } from "./gates";
import { durableObjectLiveRooms } from "./live-rooms";
import { metricsFor } from "./metrics";
import { bindingRateLimiter } from "./rate-limiter";
import { durableObjectRevocations } from "./revocations";

/** Cloudflare's implementations of the ports, built from the request's bindings. */
export const cloudflareRuntime: Runtime = {
  deps(c) {
    const env = c.env as Env;
    const config = parseConfig(env as unknown as Record<string, unknown>);
    return {
      config,
      db: new DatabaseSession(config.database),
      gates: durableObjectGates(env.TRIAL_GATE, config.gate.simulatedDistanceMs),
      liveRooms: durableObjectLiveRooms(env.TRIAL_GATE),
      cache: cacheFor(config),
      blobs: r2BlobStore(env.IMAGES),
      // The [[ratelimits]] bindings of wrangler.toml (docs/decisions/0020).
      limiter: bindingRateLimiter(env as unknown as Record<string, unknown>),
      revocations: durableObjectRevocations(env.REVOCATIONS, config.accessTokenTtlSeconds),
      metrics: metricsFor(env),
      // Analytics Engine is read with its SQL API, not scraped from the Worker.
      metricsText: null,
      // Cloudflare sets this header on every request that reaches a Worker.
      clientIp: c.req.header("cf-connecting-ip") ?? "unknown",
      docsAsset: bundledDocsAsset,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    };
  },
};
