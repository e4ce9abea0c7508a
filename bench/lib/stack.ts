// The pieces of `npm start` a benchmark needs, without the embedded database: a scratch
// database on a real Postgres (PGlite serializes every query, so it would measure itself),
// the WebSocket proxy, migrations, an optional Redis bridge, and `wrangler dev` instances.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { denoServerArgs } from "../../scripts/lib/deno-server";
import { migrateDatabase } from "../../scripts/lib/migrate";
import { type ResolvedDatabase, resolveTestDatabase } from "../../scripts/lib/postgres";
import { type RedisBridge, startRedisBridge } from "../../scripts/lib/redis-bridge";
import { claimTestRedis, type TestRedis } from "../../scripts/lib/redis-test";
import {
  isPortFree,
  type ServerProcess,
  spawnProcessGroup,
  spawnWranglerDev,
  waitForHttp,
} from "../../scripts/lib/wrangler";
import { startWsProxy, type WsProxy } from "../../scripts/lib/ws-proxy";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The secret every server of a bench run signs with, so the bench can mint members' tokens. */
export const BENCH_JWT_SECRET = randomBytes(32).toString("base64url");

export interface BenchStack {
  database: ResolvedDatabase<"server" | "embedded">;
  proxy: WsProxy;
  /** A Redis database of its own and the bridge in front of it (null: no Redis answered). */
  redis: { claim: TestRedis; bridge: RedisBridge } | null;
  /** Starts one `wrangler dev`, with or without the cache, and waits until it is ready. */
  startWorker(opts: {
    port: number;
    cache: boolean;
    vars?: Record<string, string>;
  }): Promise<BenchWorker>;
  /** Starts one Deno server (workers/deno.ts) with its own KV file, cache on when Redis is. */
  startDeno(opts: {
    port: number;
    cache: boolean;
    vars?: Record<string, string>;
  }): Promise<BenchWorker>;
  stop(): Promise<void>;
}

export interface BenchWorker {
  base: string;
  stop(): Promise<void>;
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
    }: {
      port: number;
      cache: boolean;
      vars?: Record<string, string>;
    }) => {
      if (!(await isPortFree(port))) throw new Error(`port ${port} is in use`);
      const dir = mkdtempSync(join(tmpdir(), "tryit-bench-deno-"));
      stops.push(async () => rmSync(dir, { recursive: true, force: true }));
      const { bin, args } = denoServerArgs(ROOT, dir);
      const server = spawnProcessGroup(bin, args, {
        cwd: ROOT,
        env: {
          ...process.env,
          ...baseVars(cache),
          DENO_KV_PATH: join(dir, "kv.sqlite3"),
          TRYIT_BLOB_DIR: join(dir, "blobs"),
          HOST: "127.0.0.1",
          PORT: String(port),
          ...vars,
        },
      });
      workers.push(server);
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/healthz`, { giveUp: server.exited });
      return { base, stop: () => server.stop() };
    };

    const startWorker = async ({
      port,
      cache,
      vars: extraVars = {},
    }: {
      port: number;
      cache: boolean;
      vars?: Record<string, string>;
    }) => {
      if (!(await isPortFree(port))) throw new Error(`port ${port} is in use`);
      if (cache && !redis) throw new Error("a cached worker needs Redis (REDIS_URL or :6379)");
      const persist = mkdtempSync(join(tmpdir(), "tryit-bench-"));
      stops.push(async () => rmSync(persist, { recursive: true, force: true }));
      const vars = { ...baseVars(cache), ...extraVars };
      const worker = spawnWranglerDev(
        join(ROOT, "node_modules/.bin/wrangler"),
        [
          ...["--config", join(ROOT, "wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port)],
          ...["--persist-to", persist, "--show-interactive-dev-session=false"],
          // Each worker its own debugger port: two on the default 9229 would collide.
          ...["--inspector-port", String(port + 10_000)],
          // Per-request log lines would cost the worker more than some of the requests.
          ...["--log-level", "warn"],
          ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
        ],
        { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
      );
      workers.push(worker);
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/healthz`, { giveUp: worker.exited });
      return { base, stop: () => worker.stop() };
    };

    return { database, proxy, redis, startWorker, startDeno, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
