import { noCache } from "../../../core/ports/cache";
import { DatabaseSession } from "../../../db/client";
import { parseConfig } from "../../config";
import type { Runtime } from "../../context";
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
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    };
  },
};
