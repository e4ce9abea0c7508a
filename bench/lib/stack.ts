// The pieces of `npm start` a benchmark needs, without the embedded database: a scratch
// database on a real Postgres (PGlite serializes every query, so it would measure itself),
// the WebSocket proxy, migrations, an optional Redis bridge, and `wrangler dev` instances.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newPersonalDataKeys } from "../../scripts/local-stack/personal-data-keys";
import {
  type ResolvedDatabase,
  resolveTestDatabase,
} from "../../scripts/local-stack/postgres/choose-database";
import { migrateDatabase } from "../../scripts/local-stack/postgres/migrate";
import { newReceiptSigningKey } from "../../scripts/local-stack/receipt-key";
import { denoServerArgs } from "../../scripts/local-stack/supervision/deno-server";
import {
  type ServerProcess,
  spawnProcessGroup,
} from "../../scripts/local-stack/supervision/process-group";
import { isPortFree, waitForHttp } from "../../scripts/local-stack/supervision/readiness";
import { spawnWranglerDev } from "../../scripts/local-stack/supervision/wrangler-dev";
import {
  type RedisBridge,
  startRedisBridge,
} from "../../scripts/local-stack/upstash-bridge/rest-bridge";
import {
  claimTestRedis,
  type TestRedis,
} from "../../scripts/local-stack/upstash-bridge/test-redis";
import { startWsProxy, type WsProxy } from "../../scripts/local-stack/ws-proxy/ws-proxy";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The secret every server of a bench run signs with, so the bench can mint members' tokens. */
export const BENCH_JWT_SECRET = randomBytes(32).toString("base64url");
const BENCH_RECEIPT_KEY = newReceiptSigningKey("bench");

export interface BenchStack {
  database: ResolvedDatabase<"server" | "embedded">;
  proxy: WsProxy;
  /** A Redis database of its own and the bridge in front of it (null: no Redis answered). */
  redis: { claim: TestRedis; bridge: RedisBridge } | null;
  /**
   * Starts one `wrangler dev`, with or without the cache, and waits until it is ready. Logs
   * are at "warn" (`--log-level warn`, LOG_LEVEL=warn: no per-request lines, neither the
   * app's nor wrangler's own) unless `logLevel` is "default": then wrangler and the app run
   * at their defaults, as `npm start` runs them (LOG_LEVEL can still be set in `vars`).
   * `onOutput` gets every line wrangler writes (stdout and stderr) instead of the terminal.
   */
  startWorker(opts: {
    port: number;
    cache: boolean;
    vars?: Record<string, string>;
    logLevel?: "warn" | "default";
    onOutput?: (line: string) => void;
    /** The checkout whose app runs (default this one: another build, e.g. a git worktree). */
    root?: string;
  }): Promise<BenchWorker>;
  /**
   * Starts Deno servers (deno/main.ts) on ports port, port+1, … sharing one KV file, as
   * the contract suite runs them (two isolates agreeing through KV); cache on when Redis is.
   * `dir` reuses the data folder (and KV file) of servers started before. LOG_LEVEL=warn
   * unless `logLevel` is "default" (the app's own default: a line per request).
   */
  startDeno(opts: {
    port: number;
    cache: boolean;
    vars?: Record<string, string>;
    processes?: number;
    dir?: string;
    logLevel?: "warn" | "default";
    onOutput?: (line: string) => void;
    /** The checkout whose app runs (default this one). */
    root?: string;
  }): Promise<BenchWorker>;
  stop(): Promise<void>;
}

export interface BenchWorker {
  /** The first server's base URL. */
  base: string;
  /** Every server's base URL (several Deno processes on one KV file). */
  bases: string[];
  /** Deno only: the data folder (KV file, blobs) and the environment the servers run with. */
  deno?: { dir: string; env: Record<string, string> };
  /** The servers' process groups (wrangler and its workerd; each Deno process): for CPU time. */
  pgids: number[];
  stop(): Promise<void>;
}

/**
 * Runs one Deno scheduled job (`npm run deno:job -- <name>`) with a Deno server's
 * environment, e.g. `minute` to drain its KV outbox into Postgres after it was stopped.
 */
export async function runDenoJob(
  deno: NonNullable<BenchWorker["deno"]>,
  name: "minute" | "reconcile" | "daily",
  onOutput?: (line: string) => void,
): Promise<void> {
  const { bin, args } = denoServerArgs(ROOT, deno.dir, "deno/run-job.ts");
  const child = spawn(bin, [...args, name], {
    cwd: ROOT,
    env: { ...process.env, ...deno.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let rest = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const lines = (rest + chunk.toString("utf8")).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onOutput?.(line);
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (rest) onOutput?.(rest);
  if (code !== 0) throw new Error(`deno job ${name} exited with ${code}`);
}

export async function startBenchStack(): Promise<BenchStack> {
  const database = await resolveTestDatabase();
  if (database.kind !== "server") {
    await database.stop();
    throw new Error("benchmarks need a real Postgres (127.0.0.1:5432 or TEST_DATABASE_URL)");
  }
  const stops: (() => Promise<void>)[] = [() => database.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e) => console.error("[bench] stop:", e));
  };
  try {
    await migrateDatabase(database.url);
    const target = new URL(database.url);
    const proxy = await startWsProxy({
      target: { host: target.hostname, port: Number(target.port || 5432) },
    });
    stops.push(() => proxy.close());

    let redis: BenchStack["redis"] = null;
    const claim = await claimTestRedis(process.env.REDIS_URL);
    if (claim) {
      stops.push(() => claim.release());
      const bridge = await startRedisBridge({
        redisUrl: claim.url,
        token: randomBytes(24).toString("hex"),
      });
      stops.push(() => bridge.close());
      redis = { claim, bridge };
    }

    const workers: ServerProcess[] = [];
    stops.push(async () => {
      await Promise.all(workers.map((w) => w.stop()));
    });

    const baseVars = (cache: boolean): Record<string, string> => {
      const vars: Record<string, string> = {
        DATABASE_URL: database.url,
        PG_WS_PROXY: proxy.address,
        JWT_SECRET: BENCH_JWT_SECRET,
        RECEIPT_SIGNING_KEY: BENCH_RECEIPT_KEY,
        ...newPersonalDataKeys("bench"),
        // No per-request log lines: the figures measure the route, not the console.
        LOG_LEVEL: "warn",
      };
      if (cache && redis) {
        vars.UPSTASH_REDIS_REST_URL = redis.bridge.url;
        vars.UPSTASH_REDIS_REST_TOKEN = redis.bridge.token;
      }
      return vars;
    };

    const startDeno = async ({
      port,
      cache,
      vars = {},
      processes = 1,
      dir: reuse,
      logLevel = "warn",
      onOutput,
      root = ROOT,
    }: {
      port: number;
      cache: boolean;
      vars?: Record<string, string>;
      processes?: number;
      dir?: string;
      logLevel?: "warn" | "default";
      onOutput?: (line: string) => void;
      root?: string;
    }): Promise<BenchWorker> => {
      const dir = reuse ?? mkdtempSync(join(tmpdir(), "tryit-bench-deno-"));
      if (!reuse) stops.push(async () => rmSync(dir, { recursive: true, force: true }));
      const env: Record<string, string> = {
        ...baseVars(cache),
        DENO_KV_PATH: join(dir, "kv.sqlite3"),
        TRYIT_BLOB_DIR: join(dir, "blobs"),
        HOST: "127.0.0.1",
        ...vars,
      };
      if (logLevel === "default" && !vars.LOG_LEVEL) delete env.LOG_LEVEL;
      const { bin, args } = denoServerArgs(root, dir);
      const servers: ServerProcess[] = [];
      const stopAll = async () => {
        await Promise.all(servers.map((s) => s.stop()));
      };
      const bases: string[] = [];
      try {
        for (let i = 0; i < processes; i++) {
          if (!(await isPortFree(port + i))) throw new Error(`port ${port + i} is in use`);
          const server = spawnProcessGroup(bin, args, {
            cwd: root,
            env: { ...process.env, ...env, PORT: String(port + i) },
            onLine: onOutput,
          });
          servers.push(server);
          workers.push(server);
          const base = `http://127.0.0.1:${port + i}`;
          await waitForHttp(`${base}/healthz`, { giveUp: server.exited });
          bases.push(base);
        }
      } catch (err) {
        await stopAll();
        throw err;
      }
      return {
        base: bases[0] ?? "",
        bases,
        deno: { dir, env },
        pgids: servers.flatMap((s) => (s.pgid === undefined ? [] : [s.pgid])),
        stop: stopAll,
      };
    };

    const startWorker = async ({
      port,
      cache,
      vars: extraVars = {},
      logLevel = "warn",
      onOutput,
      root = ROOT,
    }: {
      port: number;
      cache: boolean;
      vars?: Record<string, string>;
      logLevel?: "warn" | "default";
      onOutput?: (line: string) => void;
      root?: string;
    }) => {
      if (!(await isPortFree(port))) throw new Error(`port ${port} is in use`);
      if (cache && !redis) throw new Error("a cached worker needs Redis (REDIS_URL or :6379)");
      const persist = mkdtempSync(join(tmpdir(), "tryit-bench-"));
      stops.push(async () => rmSync(persist, { recursive: true, force: true }));
      const vars = { ...baseVars(cache), ...extraVars };
      if (logLevel === "default" && !extraVars.LOG_LEVEL) delete vars.LOG_LEVEL;
      const worker = spawnWranglerDev(
        join(root, "node_modules/.bin/wrangler"),
        [
          ...["--config", join(root, "wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port)],
          ...["--persist-to", persist, "--show-interactive-dev-session=false"],
          // Each worker its own debugger port: two on the default 9229 would collide.
          ...["--inspector-port", String(port + 10_000)],
          // Per-request log lines would cost the worker more than some of the requests (and at
          // wrangler's default level miniflare logs each request with an HTTP call of its own
          // from workerd back to wrangler's Node process).
          ...(logLevel === "warn" ? ["--log-level", "warn"] : []),
          ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
        ],
        { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, onLine: onOutput },
      );
      workers.push(worker);
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/healthz`, { giveUp: worker.exited });
      const pgids = worker.pgid === undefined ? [] : [worker.pgid];
      return { base, bases: [base], pgids, stop: () => worker.stop() };
    };

    return { database, proxy, redis, startWorker, startDeno, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
