// The two builds the contract suite runs against, each started as a real HTTP server:
//   workers: `wrangler dev` (workerd, the Durable Object gates, local queues and R2)
//   deno:    two `deno run deno/main.ts` processes sharing one Deno KV file (and images
//            in the fake S3), so every test also proves that two isolates agree.
// Rate limits: the suite's shared target runs with every limit raised out of reach (all its
// requests come from 127.0.0.1); test/rate-limits/as-deployed.contract.test.ts starts a target
// of its own with the limits as they ship.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { experimental_readRawConfig } from "wrangler";
import { denoServerArgs } from "../../../scripts/local-stack/supervision/deno-server";
import {
  type ServerProcess,
  spawnProcessGroup,
} from "../../../scripts/local-stack/supervision/process-group";
import { isPortFree, waitForHttp } from "../../../scripts/local-stack/supervision/readiness";
import { spawnWranglerDev } from "../../../scripts/local-stack/supervision/wrangler-dev";
import { parseRate, RATE_LIMITS } from "../../../workers/rate-limits";
import type { DeployedRateLimit } from "../workerd/deployed-rate-limits";

export type TargetName = "workers" | "deno";

export interface StartedTarget {
  name: TargetName;
  /** One base URL per server process (two for Deno). */
  baseUrls: string[];
  /** Where the Deno servers keep their KV file; null for Workers. */
  kvPath: string | null;
  /** The environment the servers run with (the Deno job runner reuses it). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export function targetName(): TargetName {
  const name = process.env.CONTRACT_TARGET ?? "workers";
  if (name !== "workers" && name !== "deno") {
    throw new Error(`CONTRACT_TARGET must be "workers" or "deno", not "${name}"`);
  }
  return name;
}

/**
 * "raised": every rate limit far out of reach (wrangler.toml's [[ratelimits]] rewritten into a
 * config of the run's own for wrangler dev; RATE_LIMIT_* variables for Deno).
 * "as-deployed": wrangler.toml as it is, and Deno with no RATE_LIMIT_* variable.
 */
export type RateLimits = "raised" | "as-deployed";

const RAISED_LIMIT = 100_000;

export async function startTarget(
  name: TargetName,
  vars: Record<string, string>,
  { rateLimits = "raised" }: { rateLimits?: RateLimits } = {},
): Promise<StartedTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), `tryit-contract-${name}-`));
  const servers: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    if (name === "workers") {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const config =
        rateLimits === "raised" ? raisedWranglerConfig(dataDir) : resolve(ROOT, "wrangler.toml");
      const server = spawnWranglerDev(
        resolve(ROOT, "node_modules/.bin/wrangler"),
        [
          ...["--config", config, "--ip", "127.0.0.1"],
          ...["--port", String(port), "--persist-to", dataDir],
          // Its own debugger port: a second wrangler dev on the default one would collide.
          ...["--inspector-port", String(await freePort())],
          ...["--show-interactive-dev-session=false", "--log-level", "warn"],
          ...Object.entries(publicAt(vars, base)).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
        ],
        { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
      );
      servers.push(server);
      await waitForHttp(`${base}/healthz`, { giveUp: server.exited });
      return { name, baseUrls: [base], kvPath: null, env: vars, stop };
    }

    const kvPath = join(dataDir, "kv.sqlite3");
    const first = await freePort();
    let second = await freePort();
    while (second === first) second = await freePort();
    const ports = [first, second];
    // Both processes stand behind one public address, as behind a load balancer: the first's.
    const env = {
      ...publicAt(vars, `http://127.0.0.1:${ports[0]}`),
      ...(rateLimits === "raised" ? raisedDenoLimits() : {}),
      DENO_KV_PATH: kvPath,
      HOST: "127.0.0.1",
    };
    const baseUrls: string[] = [];
    for (const [i, port] of ports.entries()) {
      const { bin, args } = denoServerArgs(ROOT, dataDir);
      const server = spawnProcessGroup(bin, args, {
        cwd: ROOT,
        env: { ...process.env, ...env, PORT: String(port) },
      });
      servers.push(server);
      baseUrls.push(`http://127.0.0.1:${port}`);
      await waitForHttp(`${baseUrls[i]}/healthz`, { giveUp: server.exited });
    }
    return { name, baseUrls, kvPath, env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * PUBLIC_URL as production sets it (links in answers never come from a request's Host), unless
 * the caller chose one.
 */
function publicAt(vars: Record<string, string>, base: string): Record<string, string> {
  return { PUBLIC_URL: base, ...vars };
}

/**
 * wrangler.toml with every [[ratelimits]] limit raised, as a JSON config in `dir` (its `main`
 * made absolute, the only path in it that is relative to the config's folder).
 */
function raisedWranglerConfig(dir: string): string {
  const { rawConfig } = experimental_readRawConfig({ config: resolve(ROOT, "wrangler.toml") });
  const ratelimits = (rawConfig.ratelimits ?? []) as DeployedRateLimit[];
  if (!rawConfig.main || ratelimits.length === 0) {
    throw new Error("wrangler.toml has no main or no [[ratelimits]]");
  }
  const config = {
    ...rawConfig,
    main: resolve(ROOT, rawConfig.main),
    ratelimits: ratelimits.map((r) => ({
      ...r,
      simple: { ...r.simple, limit: RAISED_LIMIT },
    })),
  };
  const path = join(dir, "wrangler.raised-limits.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** RATE_LIMIT_* for Deno: every rule raised, in its standard period. */
function raisedDenoLimits(): Record<string, string> {
  return Object.fromEntries(
    Object.values(RATE_LIMITS).map((spec) => [
      spec.variable,
      `${RAISED_LIMIT}/${parseRate(spec.standard).windowSeconds}`,
    ]),
  );
}

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (await isPortFree(port)) return port;
  }
}
