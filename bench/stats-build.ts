// `npm run bench:stats`: the statistics full rebuild over 1,000 trials × 1,000 applications,
// with the real gate calls: each trial's snapshot is one Durable Object RPC, as in production.
//   A scratch Postgres database and `wrangler dev` (bench/lib/stack.ts). The trials are
//   created through the API, so each has its gate (a Durable Object) configured; then they
//   are backdated in SQL (opened and closed in January, as most of a daily rebuild's trials
//   are) and their applications, members and reviews generated server-side.
//   The real crons are fired as `npm start` fires them (/cdn-cgi/handler/scheduled): the
//   daily cron (00:00 UTC) starts a full rebuild and builds its first batch, then the
//   5-minute cron builds one batch per tick (with the reconciliation and the incremental job
//   that share the tick) until the rebuild is done. The figures are the job's own: its
//   `cron.stats` log lines (`ms` per batch, from the Worker's console), and each tick's
//   wall time from outside. Run 1 writes every row; run 2 finds the same numbers and
//   rewrites nothing (the idempotent path the daily rebuild takes for unchanged trials).
//   For comparison in the same run: the same job code in Node with a stub returning a fixed
//   snapshot per trial (no gate call), the SQL side alone, as this bench measured it before.
// Writes bench/results/stats-build-<date>.json and the "Statistics build" section of
// bench/RESULTS.md. Env: BENCH_TRIALS (1000), BENCH_APPLICATIONS (1000), BENCH_RUNS (2).

import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { neonConfig } from "@neondatabase/serverless";
import pg from "pg";
import WebSocket from "ws";
import type { GateSnapshot } from "../core/first-come/types";
import { connect } from "../db/client";
import { signAccessToken } from "../workers/auth/tokens";
import type { SnapshotSource } from "../workers/scheduled/stats/build-trial-stats";
import {
  continueFullRebuild,
  STATS_LIMITS,
  startFullRebuild,
} from "../workers/scheduled/stats/jobs";
import { poster } from "./lib/bench-api";
import { describeMachine, machineSentence, median, postgresVersion } from "./lib/machine";
import { writeSection } from "./lib/results";
import { BENCH_JWT_SECRET, ROOT, startBenchStack } from "./lib/stack";

const TRIALS = Number(process.env.BENCH_TRIALS ?? 1000);
const APPLICATIONS = Number(process.env.BENCH_APPLICATIONS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const REVIEWS_PER_TRIAL = 20;
const COMMAND = "npm run bench:stats";
const OPENS_AT = Date.UTC(2026, 0, 1, 12, 0, 0);
const PORT = 8941;
const DAILY = "0 0 * * *";
const TICK = "*/5 * * * *";
const COMPANY_ID = "00000000-0000-4000-8000-000000000001";

/** One `cron.stats` line the Worker wrote. */
interface StatsLine {
  job: string;
  trials: number;
  built: number;
  skipped: number;
  failed: number;
  done: boolean;
  ms: number;
}

interface RunResult {
  run: number;
  trials: number;
  built: number;
  skipped: number;
  failed: number;
  batches: number;
  /** The job's own `ms` per full-rebuild batch that built trials (its cron.stats lines). */
  batchMs: number[];
  /** Σ batchMs: the rebuild's own time, ticks' other work excluded. */
  totalMs: number;
  msPerTrial: number;
  /** Each cron invocation's wall time from outside (reconciliation and incremental job included). */
  tickMs: number[];
  /** The incremental job's `ms` in the same ticks (nothing to find: the data is old). */
  incrementalMs: number[];
}

export async function runStatsBuildBench(): Promise<void> {
  const began = Date.now();
  const stack = await startBenchStack();
  const lines: StatsLine[] = [];
  const errors: string[] = [];
  const tail: string[] = [];
  try {
    const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
    const worker = await stack.startWorker({
      port: PORT,
      cache: false,
      logLevel: "default",
      onOutput: (line) => {
        tail.push(line.slice(0, 300));
        if (tail.length > 40) tail.shift();
        const at = line.indexOf("{");
        if (at < 0) return;
        try {
          const o = JSON.parse(line.slice(at)) as Record<string, unknown>;
          if (o.event === "cron.stats") lines.push(o as unknown as StatsLine);
          else if (o.level === "error" || String(o.event).includes("failed"))
            errors.push(line.slice(at, at + 300));
        } catch {
          // not one of the app's JSON lines
        }
      },
    });
    console.log(`[bench] creating ${TRIALS} trials through the API…`);
    const createStarted = performance.now();
    const trialIds = await createTrials(stack.database.url, worker.base);
    const createMs = Math.round(performance.now() - createStarted);
    console.log(`[bench] seeding ${TRIALS} trials × ${APPLICATIONS} applications…`);
    const seedMs = await seed(stack.database.url, trialIds);

    const runs: RunResult[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const tickMs: number[] = [];
      const from = lines.length;
      // Every batch of the rebuild, the last one possibly empty (it finds it is done).
      const fullOf = () => lines.slice(from).filter((l) => l.job === "stats:full-rebuild");
      const time = Date.now();
      tickMs.push(await fire(worker.base, DAILY, time));
      await waitFor(() => fullOf().length >= 1);
      for (let tick = 1; !fullOf().some((l) => l.done); tick++) {
        if (tick > TRIALS / STATS_LIMITS.batchSize + 5) throw new Error("the rebuild never ended");
        const batches = fullOf().length;
        tickMs.push(await fire(worker.base, TICK, time + tick * 300_000));
        await waitFor(() => fullOf().length > batches || fullOf().some((l) => l.done));
      }
      const full = fullOf();
      const incrementalMs = lines
        .slice(from)
        .filter((l) => l.job === "stats:incremental")
        .map((l) => l.ms);
      const total = full.reduce((a, l) => a + l.ms, 0);
      const trials = full.reduce((a, l) => a + l.trials, 0);
      runs.push({
        run,
        trials,
        built: full.reduce((a, l) => a + l.built, 0),
        skipped: full.reduce((a, l) => a + l.skipped, 0),
        failed: full.reduce((a, l) => a + l.failed, 0),
        batches: full.length,
        batchMs: full.filter((l) => l.trials > 0).map((l) => l.ms),
        totalMs: total,
        msPerTrial: Math.round((total / Math.max(1, trials)) * 100) / 100,
        tickMs,
        incrementalMs,
      });
      console.log(`[bench] run ${run}: ${trials} trials in ${total} ms of batches`);
      if (run === 1) await checkBuilt(stack.database.url);
    }
    await worker.stop();

    // The SQL side alone, for comparison: the same job code in Node with stubbed counters,
    // twice like the real runs (the first rewrites every row, as the stub's counters are not
    // the gates'; the second finds the same numbers and rewrites nothing).
    neonConfig.webSocketConstructor = WebSocket;
    const conn = await connect({ url: stack.database.url, wsProxy: stack.proxy.address });
    const stubRuns: { batchMs: number[]; totalMs: number }[] = [];
    try {
      for (let run = 1; run <= 2; run++) {
        const now = new Date(OPENS_AT + run * 900_000);
        await startFullRebuild(conn.db, now);
        const batchMs: number[] = [];
        for (;;) {
          const t = performance.now();
          const result = await continueFullRebuild(conn.db, stubGates, now);
          batchMs.push(Math.round((performance.now() - t) * 10) / 10);
          if (!result || result.done) break;
        }
        stubRuns.push({ batchMs, totalMs: Math.round(batchMs.reduce((a, b) => a + b, 0)) });
      }
    } finally {
      await conn.close();
    }
    const loadAfter = os.loadavg().map((l) => Math.round(l * 100) / 100);
    const broken = runs.filter((r) => r.trials !== TRIALS || r.failed > 0 || r.skipped > 0);
    if (errors.length > 0) console.error(`[bench] error lines:\n${errors.join("\n")}`);

    const date = new Date().toISOString();
    const raw = {
      date,
      command: COMMAND,
      trials: TRIALS,
      applicationsPerTrial: APPLICATIONS,
      reviewsPerTrial: REVIEWS_PER_TRIAL,
      batchSize: STATS_LIMITS.batchSize,
      createMs,
      seedMs,
      gateCounters: "real: one Durable Object RPC per trial (wrangler dev, local workerd)",
      machine: await describeMachine({ postgres: await postgresVersion(stack.database.url) }),
      loadBefore,
      loadAfter,
      durationSeconds: Math.round((Date.now() - began) / 1000),
      runs,
      stub: stubRuns,
      errorLines: errors.slice(0, 20),
    };
    const dir = join(ROOT, "bench/results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `stats-build-${date.replace(/[:.]/g, "-").slice(0, 19)}.json`);
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
    writeSection(join(ROOT, "bench/RESULTS.md"), "stats-build", report(raw, file));
    console.log(`[bench] raw results: ${file}; summary: bench/RESULTS.md`);
    if (broken.length > 0) {
      throw new Error(
        `a rebuild did not build every trial: ${JSON.stringify(broken.map(({ batchMs: _b, tickMs: _t, ...r }) => r))}`,
      );
    }
  } catch (err) {
    console.error(`[bench] the Worker's last lines:\n${tail.join("\n")}`);
    throw err;
  } finally {
    await stack.stop();
  }
}

async function fire(base: string, cron: string, time: number): Promise<number> {
  const t = performance.now();
  const url = `${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron)}&time=${time}`;
  const res = await fetch(url);
  const body = (await res.text()).trim();
  if (!res.ok) throw new Error(`scheduled handler (${cron}) answered ${res.status} ${body}`);
  return Math.round(performance.now() - t);
}

/** Log lines reach wrangler's console a moment after the handler's answer. */
async function waitFor(ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error("no cron.stats line from the Worker");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The company, one product and TRIALS trials through the API: each trial's gate configured. */
async function createTrials(url: string, base: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (id, email, password_hash, name, role)
       VALUES ($1, 'company@bench.test', 'x', 'Bench', 'COMPANY')`,
      [COMPANY_ID],
    );
  } finally {
    await client.end();
  }
  const secret = new TextEncoder().encode(BENCH_JWT_SECRET);
  const token = await signAccessToken({ userId: COMPANY_ID, role: "COMPANY" }, secret, 3600);
  const post = poster(base, token);
  const product = await post("/v1/products", { name: "Bench product", description: "bench" });
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < TRIALS) {
        const n = ++next;
        const trial = await post("/v1/trials", {
          productId: product.id,
          title: `Trial ${n}`,
          description: "Bench",
          slots: 100,
          waitlistSize: 50,
          opensAt: new Date(Date.now() + 60_000).toISOString(),
          closesAt: new Date(Date.now() + 86_400_000).toISOString(),
        });
        ids.push(trial.id);
      }
    }),
  );
  return ids;
}

/** Every trial gets the same counters: what they are does not change the SQL measured. */
const stubGates: SnapshotSource = {
  get: (trialId) => ({
    snapshot: async (): Promise<GateSnapshot> => ({
      trialId,
      status: "CLOSED",
      closedReason: "FULL",
      slots: 100,
      waitlistSize: 50,
      won: 100,
      waitlisted: 50,
      remaining: 0,
      applicants: APPLICATIONS,
      rejected: APPLICATIONS - 150,
      cancelled: 0,
      promoted: 0,
      opensAt: OPENS_AT,
      closesAt: OPENS_AT + 86_400_000,
      filledAt: OPENS_AT + 1_500,
      statusVersion: 2,
    }),
  }),
};

/**
 * Server-side generation (INSERT … SELECT generate_series): a million rows without a
 * million round trips. The trials (created through the API) are backdated to January and
 * closed full, and every row is dated then (old data, as most of it is in a daily rebuild),
 * so an incremental tick has nothing new to find and the reconciliation nothing to check.
 * Arrivals crowd the opening, as in a real first-come trial: the n-th arrives n²/5 ms after
 * opening (the first hundred within 2 s, the last after 200 s).
 */
async function seed(url: string, trialIds: string[]): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const opensAt = new Date(OPENS_AT).toISOString();
    await client.query(
      `UPDATE trials SET opens_at = $2::timestamptz, closes_at = $2::timestamptz + interval '1 day',
              status = 'CLOSED', closed_reason = 'FULL', created_at = $2::timestamptz,
              updated_at = $2::timestamptz + interval '1 day'
        WHERE id = ANY($1::uuid[])`,
      [trialIds, opensAt],
    );
    await client.query(`
      INSERT INTO users (id, email, password_hash, name, role)
      SELECT gen_random_uuid(), 'member-' || g || '@bench.test', 'x', 'Member ' || g, 'MEMBER'
        FROM generate_series(1, ${APPLICATIONS}) g;`);
    await client.query(`
      INSERT INTO applications (id, trial_id, user_id, seq, status, position, applied_at,
                                decided_at, version, persisted_at)
      SELECT gen_random_uuid(), t.id, m.id, m.n,
             CASE WHEN m.n <= 100 THEN 'WON' ELSE 'WAITLISTED' END,
             CASE WHEN m.n <= 100 THEN NULL ELSE m.n - 100 END,
             t.opens_at + (m.n * m.n / 5.0) * interval '1 millisecond',
             t.opens_at + (m.n * m.n / 5.0) * interval '1 millisecond', 1,
             t.opens_at + (m.n * m.n / 5.0) * interval '1 millisecond'
        FROM trials t
       CROSS JOIN (SELECT id, row_number() OVER (ORDER BY id)::int AS n
                     FROM users WHERE role = 'MEMBER') m`);
    await client.query(`
      INSERT INTO reviews (id, trial_id, product_id, user_id, application_id, rating, title, body,
                           created_at, updated_at)
      SELECT gen_random_uuid(), a.trial_id, t.product_id, a.user_id, a.id,
             1 + (a.seq % 5), 'Review', 'Bench review',
             a.applied_at + interval '2 days', a.applied_at + interval '2 days'
        FROM applications a JOIN trials t ON t.id = a.trial_id WHERE a.seq <= ${REVIEWS_PER_TRIAL};
      ANALYZE;`);
  } finally {
    await client.end();
  }
  return Math.round(performance.now() - started);
}

/** A benchmark that measured a build which did nothing would be worse than none. */
async function checkBuilt(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number; minutes: number; peak: number }>(
      `SELECT count(*)::int AS n, min(jsonb_array_length(per_minute))::int AS minutes,
              min(peak_per_second)::int AS peak FROM trial_stats`,
    );
    const row = rows[0];
    if (!row || row.n !== TRIALS || row.minutes < 1 || row.peak < 1) {
      throw new Error(`the rebuild did not build every trial: ${JSON.stringify(row)}`);
    }
  } finally {
    await client.end();
  }
}

function report(
  raw: {
    date: string;
    createMs: number;
    seedMs: number;
    batchSize: number;
    machine: Awaited<ReturnType<typeof describeMachine>>;
    loadBefore: number[];
    loadAfter: number[];
    durationSeconds: number;
    runs: RunResult[];
    stub: { batchMs: number[]; totalMs: number }[];
  },
  file: string,
): string {
  const m = raw.machine;
  const rows = raw.runs.map(
    (r) =>
      `| ${r.run === 1 ? "1 (every row written)" : `${r.run} (same numbers: nothing rewritten)`} | real: one Durable Object RPC per trial | ${r.trials} (${r.built} built, ${r.skipped} skipped, ${r.failed} failed) | ${r.batches} | ${(r.totalMs / 1000).toFixed(2)} s | ${r.msPerTrial} ms | ${median(r.batchMs)} ms | ${Math.max(...r.batchMs)} ms | ${median(r.tickMs)} ms |`,
  );
  const stubRows = raw.stub.map(
    (r, i) =>
      `| stub ${i === 0 ? "1 (every row rewritten: the stub's counters are not the gates')" : "2 (same numbers: nothing rewritten)"} | fixed snapshot, no gate call; the job code in Node | ${TRIALS} | ${r.batchMs.length} | ${(r.totalMs / 1000).toFixed(2)} s | ${Math.round((r.totalMs / TRIALS) * 100) / 100} ms | ${median(r.batchMs)} ms | ${Math.max(...r.batchMs)} ms | – |`,
  );
  const ratio = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b ? `${(a / b).toFixed(2)}×` : "–";
  const incremental = raw.runs.flatMap((r) => r.incrementalMs);
  return `## Statistics build (\`${COMMAND}\`)

Run ${raw.date} with \`${COMMAND}\` (${Math.round(raw.durationSeconds / 60)} min in all): a full rebuild of ${TRIALS} trials × ${APPLICATIONS} applications (${TRIALS * APPLICATIONS} rows, plus ${REVIEWS_PER_TRIAL} reviews per trial), in batches of ${raw.batchSize} as in production, **with the real gate calls**. The trials were created through the API on \`wrangler dev\` (${(raw.createMs / 1000).toFixed(1)} s for ${TRIALS}), so each has its Durable Object gate configured; then backdated in SQL to a closed January trial and their rows generated server-side (${(raw.seedMs / 1000).toFixed(1)} s; neither counted). The real crons were fired as \`npm start\` fires them (\`/cdn-cgi/handler/scheduled\`): the daily cron starts the rebuild and builds its first batch, then one 5-minute tick per batch (each tick also runs the reconciliation and the incremental job). The figures are the job's own: the \`ms\` of its \`cron.stats\` log lines (Worker → Neon driver → local WebSocket proxy → Postgres; one \`snapshot()\` RPC per trial, concurrently for the batch), and each tick's wall time from outside. Raw: \`${file.slice(ROOT.length)}\`.

${machineSentence(m)}

Load average (1, 5, 15 min) before: ${raw.loadBefore.join(", ")}; after: ${raw.loadAfter.join(", ")}.

| run | gate counters | trials | batches | total (Σ batch ms) | per trial | median batch | slowest batch | median tick (from outside) |
|---|---|---:|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}
${stubRows.join("\n")}

The stub rows run the same job code in Node (not workerd), on the same database, after the real runs, with a fixed snapshot instead of the gate call: the SQL side of a build alone, as this bench measured it before. With real gate calls ÷ stub, run 1 (every row written): ${ratio(raw.runs[0]?.totalMs, raw.stub[0]?.totalMs)}; run 2 (nothing rewritten): ${ratio(raw.runs[1]?.totalMs, raw.stub[1]?.totalMs)}. In run 1 each gate is woken for the first time since its trial was created (a Durable Object loaded from its storage); in run 2 they were just used. No simulated distance here: a gate far away would add about one round trip per batch, as the ${raw.batchSize} RPCs of a batch go out together.

The incremental job in the same ticks (nothing to find: every trial closed in January, nothing changed since) took ${incremental.length ? `${median(incremental)} ms median (${Math.min(...incremental)}–${Math.max(...incremental)} ms over ${incremental.length} ticks)` : "–"}.

One batch is what one 5-minute tick does for a running rebuild: the slowest batch is the bound that matters for the Workers limits.
`;
}

// Run directly (`npm run bench:stats`), not when bench/run.ts imports it.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runStatsBuildBench().catch((err: unknown) => {
    console.error("[bench] failed:", err);
    process.exit(1);
  });
}
