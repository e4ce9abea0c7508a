// `npm run bench:cache`: hot reads with and without the Redis cache, side by side.
//   Two `wrangler dev` workers on one scratch Postgres database: one with the cache (the
//   Upstash REST bridge in front of a Redis database of its own), one without. Seeds a
//   company, a product and a trial, then drives GET /v1/trials/:id and GET /v1/users/me
//   with autocannon against each worker in turn.
// Writes bench/results/cache-reads-<date>.json (everything, raw) and the "Cache reads"
// section of bench/RESULTS.md. Env: BENCH_CONNECTIONS (50), BENCH_DURATION (10 seconds),
// REDIS_URL (redis://127.0.0.1:6379), TEST_DATABASE_URL (the local server).
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Redis from "ioredis";
import { type LoadResult, runLoad } from "./lib/load";
import { describeMachine, machineSentence, postgresVersion } from "./lib/machine";
import { writeSection } from "./lib/results";
import { ROOT, startBenchStack } from "./lib/stack";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
// One connection first: the cost of one request with nothing queued, which says what a
// read is made of; then the concurrent load, which says what the machine can serve.
const PROFILES = [
  { connections: 1, durationSeconds: Math.min(5, DURATION) },
  { connections: CONNECTIONS, durationSeconds: DURATION },
];
const COMMAND = "npm run bench:cache";

interface Case {
  name: string;
  path: string;
  auth: boolean;
  /** The Redis key the cached worker should hold for this read. */
  key: string;
}

export async function runCacheReadsBench(): Promise<void> {
  const stack = await startBenchStack();
  try {
    if (!stack.redis) throw new Error("the cache benchmark needs Redis (REDIS_URL or :6379)");
    console.log("[bench] starting two workers (with and without the cache)…");
    const [plain, cached] = await Promise.all([
      stack.startWorker({ port: 8911, cache: false }),
      stack.startWorker({ port: 8912, cache: true }),
    ]);
    const seed = await seedCatalog(plain.base);
    const cases: Case[] = [
      {
        name: "GET /v1/trials/:id",
        path: `/v1/trials/${seed.trialId}`,
        auth: false,
        key: `trial:${seed.trialId}`,
      },
      { name: "GET /v1/users/me", path: "/v1/users/me", auth: true, key: `user:${seed.userId}` },
    ];
    const headers = { authorization: `Bearer ${seed.token}` };
    // Other work on the machine skews every figure: recorded so a reader can tell.
    const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);

    const rows: Row[] = [];
    const redisUrl = stack.redis.claim.url;
    const cachedKeys: Record<string, boolean> = {};
    for (const profile of PROFILES) {
      for (const c of cases) {
        const measured: Record<string, LoadResult> = {};
        for (const [variant, worker] of [
          ["no cache", plain],
          ["cache", cached],
        ] as const) {
          const url = `${worker.base}${c.path}`;
          await warmUp(url, c.auth ? headers : {});
          console.log(
            `[bench] ${c.name}, ${variant}: ${profile.connections} connection(s) for ${profile.durationSeconds} s`,
          );
          measured[variant] = await runLoad({ url, ...profile, headers: c.auth ? headers : {} });
        }
        // Checked at once (entries live CACHE_TTL_SECONDS): did the cached worker cache it?
        cachedKeys[c.name] = await keyExists(redisUrl, c.key);
        rows.push({
          name: c.name,
          connections: profile.connections,
          plain: must(measured["no cache"]),
          cached: must(measured.cache),
        });
      }
    }

    const machine = await describeMachine({
      postgres: await postgresVersion(stack.database.url),
      redis: await redisVersion(stack.redis.claim.url),
    });
    const date = new Date().toISOString();
    const raw = {
      bench: "cache-reads",
      date,
      command: COMMAND,
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      machine,
      cachedKeys,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
      results: rows.map((r) => ({
        case: r.name,
        connections: r.connections,
        noCache: r.plain,
        cache: r.cached,
      })),
    };
    const dir = join(ROOT, "bench/results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `cache-reads-${date.slice(0, 19).replace(/:/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
    writeSection(join(ROOT, "bench/RESULTS.md"), "cache-reads", report(raw, rows, file));
    console.log(table(rows));
    console.log(`[bench] raw results: ${file}; summary: bench/RESULTS.md`);
  } finally {
    await stack.stop();
  }
}

interface Row {
  name: string;
  connections: number;
  plain: LoadResult;
  cached: LoadResult;
}

async function seedCatalog(base: string) {
  const call = async (method: string, path: string, body: unknown, token?: string) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`seed ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const email = `bench-${Date.now()}@tryit.test`;
  const password = "bench-password-long-enough";
  const user = await call("POST", "/v1/auth/signup", {
    email,
    password,
    name: "Bench Company",
    role: "COMPANY",
  });
  const { accessToken } = (await call("POST", "/v1/auth/login", { email, password })) as {
    accessToken: string;
  };
  const product = await call(
    "POST",
    "/v1/products",
    { name: "Bench product", description: "Measured, not sold" },
    accessToken,
  );
  const trial = await call(
    "POST",
    "/v1/trials",
    {
      productId: product.id,
      title: "Bench trial",
      description: "Read many times",
      slots: 100,
      opensAt: new Date(Date.now() - 1000).toISOString(),
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    },
    accessToken,
  );
  return { token: accessToken, userId: String(user.id), trialId: String(trial.id) };
}

/** Fills the cache (and the JIT) so the run measures the steady state, not the first miss. */
async function warmUp(url: string, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const res = await fetch(url, { headers });
    if (!res.ok) throw new Error(`warm-up ${url}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  await new Promise((r) => setTimeout(r, 200)); // the read-through's write runs after replying
}

async function keyExists(url: string, key: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    return (await redis.exists(key)) === 1;
  } finally {
    redis.disconnect();
  }
}

async function redisVersion(url: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    return /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "?";
  } finally {
    redis.disconnect();
  }
}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("a case was not measured");
  return value;
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "–");

function table(rows: Row[]): string {
  const lines = [
    "| endpoint | connections | variant | p50 | p99 | req/s | non-2xx + errors |",
    "|---|---:|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    for (const [variant, res] of [
      ["no cache", r.plain],
      ["cache", r.cached],
    ] as const) {
      lines.push(
        `| ${r.name} | ${r.connections} | ${variant} | ${ms(res.latency.p50)} | ${ms(res.latency.p99)} | ${Math.round(res.requests.average)} | ${res.non2xx + res.errors} |`,
      );
    }
    lines.push(
      `| ${r.name} | ${r.connections} | **cache vs none** | **${ratio(r.plain.latency.p50, r.cached.latency.p50)} faster** | ${ratio(r.plain.latency.p99, r.cached.latency.p99)} faster | ${ratio(r.cached.requests.average, r.plain.requests.average)} | |`,
    );
  }
  return lines.join("\n");
}

/** A case that answered errors measured the errors, not the read: say so next to the table. */
function failureNotes(rows: Row[]): string[] {
  const notes: string[] = [];
  for (const r of rows) {
    for (const [variant, res] of [
      ["no cache", r.plain],
      ["cache", r.cached],
    ] as const) {
      const failed = res.non2xx + res.errors;
      const total = res.requests.total;
      if (failed > 0) {
        const codes = JSON.stringify(res.statusCodeStats ?? {});
        notes.push(
          `**${r.name}, ${r.connections} connection(s), ${variant}: ${failed} of ${total} responses failed (${codes}); its latencies measure the failures, not the read.**`,
          "",
        );
      }
    }
  }
  return notes;
}

function report(
  raw: {
    date: string;
    machine: Awaited<ReturnType<typeof describeMachine>>;
    cachedKeys: Record<string, boolean>;
    loadAverageBefore: number[];
    loadAverageAfter: number[];
  },
  rows: Row[],
  file: string,
): string {
  const m = raw.machine;
  const cachedNote = Object.entries(raw.cachedKeys)
    .map(
      ([k, v]) =>
        `${k}: ${v ? "yes" : "no (that read is not cached: both variants go to Postgres)"}`,
    )
    .join("; ");
  return [
    "## Cache reads (`npm run bench:cache`)",
    "",
    `Run ${raw.date} with \`${COMMAND}\`: each case ${PROFILES.map((p) => `${p.connections} connection(s) for ${p.durationSeconds} s`).join(", then ")}, after 20 warm-up requests. Raw: \`${file.slice(ROOT.length)}\`.`,
    "",
    machineSentence(m),
    "",
    `Load average (1, 5, 15 min) before the measurements: ${raw.loadAverageBefore.join(", ")}; after: ${raw.loadAverageAfter.join(", ")}. Anything well above 0 means other processes shared the CPUs during the run.`,
    "",
    table(rows),
    "",
    ...failureNotes(rows),
    `Whether the cached worker held the entry in Redis right after its run: ${cachedNote}.`,
    "",
    "Everything runs on this one machine: workerd (`wrangler dev`), Postgres, Redis, the",
    "WebSocket proxy and the REST bridge (one Node process), and autocannon (its own process)",
    "share the CPUs, so the figures compare the two variants with each other, not with",
    "production. Postgres is local here: an uncached read costs a WebSocket connection through",
    "the proxy, the Postgres start-up and one query, all over loopback. Against Neon the",
    "uncached read also pays the network round trips to the database (and its TLS and",
    "authentication on every request), so the gain there should be larger than measured here;",
    "a cache hit costs one HTTP round trip to Redis, which Upstash keeps close to the Worker.",
    "",
  ].join("\n");
}

// Run directly (`npm run bench:cache`), not when bench/run.ts imports it.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runCacheReadsBench().catch((err: unknown) => {
    console.error("[bench] failed:", err);
    process.exit(1);
  });
}
