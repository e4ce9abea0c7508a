import { noCache } from "../../../core/ports/cache";
import { noRateLimits } from "../../../core/ports/rate-limiter";
import { DatabaseSession } from "../../../db/client";
import { parseConfig } from "../../config";
import type { Runtime } from "../../context";
import { r2BlobStore } from "./blob-store";
import { durableObjectGates } from "./gates";

/** Cloudflare's implementations of the ports, built from the request's bindings. */
export const cloudflareRuntime: Runtime = {
  deps(c) {
    const env = c.env as Env;
    const config = parseConfig(env as unknown as Record<string, unknown>);
    return {
      config,
      db: new DatabaseSession(config.database),
      gates: durableObjectGates(env.TRIAL_GATE),
      cache: noCache,
      blobs: r2BlobStore(env.IMAGES),
      limiter: noRateLimits,
      // Cloudflare sets this header on every request that reaches a Worker.
      clientIp: c.req.header("cf-connecting-ip") ?? "unknown",
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    };
  },
};
