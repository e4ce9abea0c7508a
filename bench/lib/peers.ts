// Starting what the admission benchmark compares us with: two peers that admit first-come the
// way others do (bench/peers/pg-rowlock.ts, bench/peers/redis-lua.ts), and the hello-world
// ceilings of the two runtimes we run on. Each is a process group of its own, so stopping
// it leaves nothing behind (workerd included).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ServerProcess,
  spawnProcessGroup,
} from "../../scripts/local-stack/supervision/process-group";
import { isPortFree, waitForHttp } from "../../scripts/local-stack/supervision/readiness";
import { spawnWranglerDev } from "../../scripts/local-stack/supervision/wrangler-dev";
import { ROOT } from "./stack";

export type PeerKind = "pg-rowlock" | "redis-lua" | "hello-workers" | "hello-deno";

export interface Peer {
  base: string;
  stop(): Promise<void>;
}

/**
 * Starts one peer on 127.0.0.1:port and resolves once it answers. `env` is what the peer
 * reads: JWT_SECRET plus DATABASE_URL (pg-rowlock, and PEER_POOL_SIZE) or REDIS_URL
 * (redis-lua); the hello servers need nothing.
 */
export async function startPeer(
  kind: PeerKind,
  opts: { port: number; env: Record<string, string> },
): Promise<Peer> {
  const { port } = opts;
  if (!(await isPortFree(port))) throw new Error(`port ${port} is in use`);
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, ...opts.env, PORT: String(port) };
  const cleanups: (() => void)[] = [];

  let server: ServerProcess;
  let readyPath = "/hello";
  switch (kind) {
    case "pg-rowlock":
    case "redis-lua":
      // node --import tsx rather than the tsx binary: one process, no relay in front of it.
      server = spawnProcessGroup(
        process.execPath,
        ["--import", "tsx", join(ROOT, `bench/peers/${kind}.ts`)],
        { cwd: ROOT, env },
      );
      break;
    case "hello-workers": {
      const persist = mkdtempSync(join(tmpdir(), "tryit-bench-hello-"));
      cleanups.push(() => rmSync(persist, { recursive: true, force: true }));
      server = spawnWranglerDev(
        join(ROOT, "node_modules/.bin/wrangler"),
        [
          ...["--config", join(ROOT, "bench/peers/hello-worker/wrangler.toml")],
          ...["--ip", "127.0.0.1", "--port", String(port)],
          ...["--persist-to", persist, "--show-interactive-dev-session=false"],
          // Not the default 9229, which our own worker may hold at the same time.
          ...["--inspector-port", String(port + 10_000)],
          ...["--log-level", "warn"],
        ],
        {
          cwd: ROOT,
          // No fetch of the Request.cf object at startup: offline it only fails and warns,
          // and requests get the placeholder either way.
          env: { ...env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
        },
      );
      // wrangler leaves an empty .wrangler/ beside the config (git-ignored; tidied anyway).
      cleanups.push(() =>
        rmSync(join(ROOT, "bench/peers/hello-worker/.wrangler"), { recursive: true, force: true }),
      );
      readyPath = "/";
      break;
    }
    case "hello-deno":
      server = spawnProcessGroup(
        join(ROOT, "node_modules/.bin/deno"),
        ["run", "--allow-net", "--allow-env", join(ROOT, "bench/peers/hello-deno.ts")],
        { cwd: ROOT, env },
      );
      readyPath = "/";
      break;
  }

  const stop = async () => {
    await server.stop();
    for (const cleanup of cleanups) cleanup();
  };
  try {
    await waitForHttp(`${base}${readyPath}`, { giveUp: server.exited });
  } catch (err) {
    await stop();
    throw new Error(`${kind} did not start on ${base}: ${(err as Error).message}`);
  }
  return { base, stop };
}
