// The two builds the contract suite runs against, each started as a real HTTP server:
//   workers: `wrangler dev` (workerd, the Durable Object gates, local queues and R2)
//   deno:    two `deno run workers/deno.ts` processes sharing one Deno KV file (and images
//            in the fake S3), so every test also proves that two isolates agree.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { denoServerArgs } from "../../../scripts/lib/deno-server";
import {
  isPortFree,
  type ServerProcess,
  spawnProcessGroup,
  spawnWranglerDev,
  waitForHttp,
} from "../../../scripts/lib/wrangler";

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

export async function startTarget(
  name: TargetName,
  vars: Record<string, string>,
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
      const server = spawnWranglerDev(
        resolve(ROOT, "node_modules/.bin/wrangler"),
        [
          ...["--config", resolve(ROOT, "wrangler.toml"), "--ip", "127.0.0.1"],
          ...["--port", String(port), "--persist-to", dataDir],
          ...["--show-interactive-dev-session=false", "--log-level", "warn"],
          ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
        ],
        { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
      );
      servers.push(server);
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/healthz`, { giveUp: server.exited });
      return { name, baseUrls: [base], kvPath: null, env: vars, stop };
    }

    const kvPath = join(dataDir, "kv.sqlite3");
    const env = { ...vars, DENO_KV_PATH: kvPath, HOST: "127.0.0.1" };
    const baseUrls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
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

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (await isPortFree(port)) return port;
  }
}
