// `npm run bench:stats`: the statistics full rebuild over 1,000 trials × 1,000 applications.
//   A scratch Postgres database (created and dropped here), seeded server-side with
//   generate_series; then the real job code (`startFullRebuild` + `continueFullRebuild`, batch
//   size as in production) walks every trial through the production driver (the Neon
//   WebSocket client through the local proxy), timed per batch. Run 1 writes every row;
//   run 2 finds the same numbers and rewrites nothing (the idempotent path the daily
//   rebuild takes for trials that did not change).
// The gate counters come from a stub that returns a fixed snapshot: a real gate is one
// Durable Object RPC per trial, which this measures nothing about. So the figures are the
// SQL side of a build only.
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
import { migrateDatabase } from "../scripts/lib/migrate";
import { resolveTestDatabase } from "../scripts/lib/postgres";
import { startWsProxy } from "../scripts/lib/ws-proxy";
import type { SnapshotSource } from "../workers/scheduled/stats/build-trial-stats";
import {
  continueFullRebuild,
  runIncrementalStats,
  STATS_LIMITS,
  startFullRebuild,
} from "../workers/scheduled/stats/jobs";
import { describeMachine, machineSentence, median, postgresVersion } from "./lib/machine";
import { writeSection } from "./lib/results";
import { ROOT } from "./lib/stack";

const TRIALS = Number(process.env.BENCH_TRIALS ?? 1000);
const APPLICATIONS = Number(process.env.BENCH_APPLICATIONS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const REVIEWS_PER_TRIAL = 20;
const COMMAND = "npm run bench:stats";
const OPENS_AT = Date.UTC(2026, 0, 1, 12, 0, 0);

interface RunResult {
  run: number;
  trials: number;
  batches: number;
  batchMs: number[];
  totalMs: number;
  msPerTrial: number;
}

export async function runStatsBuildBench(): Promise<void> {
  const database = await resolveTestDatabase();
  if (database.kind !== "server") {
    await database.stop();
    throw new Error(
      "the stats benchmark needs a real Postgres (127.0.0.1:5432 or TEST_DATABASE_URL)",
    );
  }
  try {
    await migrateDatabase(database.url);
    console.log(`[bench] seeding ${TRIALS} trials × ${APPLICATIONS} applications…`);
    const seedMs = await seed(database.url);
    const target = new URL(database.url);
    const proxy = await startWsProxy({
      target: { host: target.hostname, port: Number(target.port || 5432) },
    });
    // Node 20 has no global WebSocket; the Worker's runtime does.
    neonConfig.webSocketConstructor = WebSocket;
    const conn = await connect({ url: database.url, wsProxy: proxy.address });
    const runs: RunResult[] = [];
    const idleIncrementalMs: number[] = [];
    const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
    try {
      for (let run = 1; run <= RUNS; run++) {
        const now = new Date(OPENS_AT + run * 300_000);
        await startFullRebuild(conn.db, now);
        const batchMs: number[] = [];
        let trials = 0;
        const started = performance.now();
        for (;;) {
          const t = performance.now();
          const result = await continueFullRebuild(conn.db, stubGates, now);
          batchMs.push(Math.round((performance.now() - t) * 10) / 10);
          trials += result?.trialIds.length ?? 0;
          if (!result || result.done) break;
        }
        const totalMs = Math.round(performance.now() - started);
        runs.push({
          run,
          trials,
          batches: batchMs.length,
          batchMs,
          totalMs,
          msPerTrial: Math.round((totalMs / Math.max(1, trials)) * 100) / 100,
        });
        console.log(`[bench] run ${run}: ${trials} trials in ${totalMs} ms`);
      }
      await checkBuilt(database.url);
      // The 5-minute job when nothing changed: the cost of finding out, on a million rows.
      await runIncrementalStats(conn.db, stubGates, new Date());
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const run = await runIncrementalStats(conn.db, stubGates, new Date());
        idleIncrementalMs.push(Math.round((performance.now() - t) * 10) / 10);
        if (run.trialIds.length > 0) throw new Error("an idle incremental run found work");
      }
    } finally {
      await conn.close();
      await proxy.close();
    }
    const loadAfter = os.loadavg().map((l) => Math.round(l * 100) / 100);

    const date = new Date().toISOString();
    const raw = {
      date,
      command: COMMAND,
      trials: TRIALS,
      applicationsPerTrial: APPLICATIONS,
      reviewsPerTrial: REVIEWS_PER_TRIAL,
      batchSize: STATS_LIMITS.batchSize,
      seedMs,
      gateCounters: "stub (fixed snapshot, no Durable Object RPC)",
      machine: await describeMachine({ postgres: await postgresVersion(database.url) }),
      loadBefore,
      loadAfter,
      runs,
      idleIncrementalMs,
    };
    const dir = join(ROOT, "bench/results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `stats-build-${date.replace(/[:.]/g, "-").slice(0, 19)}.json`);
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
    writeSection(join(ROOT, "bench/RESULTS.md"), "stats-build", report(raw, file));
    console.log(`[bench] raw results: ${file}; summary: bench/RESULTS.md`);
  } finally {
    await database.stop();
  }
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
 * million round trips. Every row is dated in January (old data, as most of it is in a
 * daily rebuild), so an incremental tick has nothing new to find. Arrivals crowd the opening, as in a real first-come trial: the
 * n-th arrives n²/5 ms after opening (the first hundred within 2 s, the last after 200 s).
 */
async function seed(url: string): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const opensAt = new Date(OPENS_AT).toISOString();
    await client.query(`
      INSERT INTO users (id, email, password_hash, name, role)
      SELECT gen_random_uuid(), 'member-' || g || '@bench.test', 'x', 'Member ' || g, 'MEMBER'
        FROM generate_series(1, ${APPLICATIONS}) g;
      INSERT INTO users (id, email, password_hash, name, role)
      VALUES ('00000000-0000-4000-8000-000000000001', 'company@bench.test', 'x', 'Bench', 'COMPANY');
      INSERT INTO products (id, company_id, name, description)
      VALUES ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001',
              'Bench product', 'Measured, not sold');
      INSERT INTO trials (id, product_id, company_id, title, description, slots, waitlist_size,
                          opens_at, closes_at, status, closed_reason, created_at, updated_at)
      SELECT gen_random_uuid(), '00000000-0000-4000-8000-000000000002',
             '00000000-0000-4000-8000-000000000001', 'Trial ' || g, 'Bench', 100, 50,
             '${opensAt}'::timestamptz, '${opensAt}'::timestamptz + interval '1 day', 'CLOSED', 'FULL',
             '${opensAt}'::timestamptz, '${opensAt}'::timestamptz + interval '1 day'
        FROM generate_series(1, ${TRIALS}) g;`);
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
      SELECT gen_random_uuid(), a.trial_id, '00000000-0000-4000-8000-000000000002', a.user_id, a.id,
             1 + (a.seq % 5), 'Review', 'Bench review',
             a.applied_at + interval '2 days', a.applied_at + interval '2 days'
        FROM applications a WHERE a.seq <= ${REVIEWS_PER_TRIAL};
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
    seedMs: number;
    batchSize: number;
    machine: Awaited<ReturnType<typeof describeMachine>>;
    loadBefore: number[];
    loadAfter: number[];
    runs: RunResult[];
    idleIncrementalMs: number[];
  },
  file: string,
): string {
  const m = raw.machine;
  const rows = raw.runs.map(
    (r) =>
      `| ${r.run === 1 ? "1 (every row written)" : `${r.run} (same numbers: nothing rewritten)`} | ${r.trials} | ${r.batches} | ${(r.totalMs / 1000).toFixed(2)} s | ${r.msPerTrial} ms | ${median(r.batchMs)} ms | ${Math.max(...r.batchMs)} ms |`,
  );
  return `## Statistics build (\`${COMMAND}\`)

Run ${raw.date} with \`${COMMAND}\`: a full rebuild of ${TRIALS} trials × ${APPLICATIONS} applications (${TRIALS * APPLICATIONS} rows, plus ${REVIEWS_PER_TRIAL} reviews per trial), in batches of ${raw.batchSize} as in production, through the production driver (Neon WebSocket client → local proxy → Postgres). Seeding took ${(raw.seedMs / 1000).toFixed(1)} s (not counted). Raw: \`${file.slice(ROOT.length)}\`.

${machineSentence(m)}

Load average (1, 5, 15 min) before: ${raw.loadBefore.join(", ")}; after: ${raw.loadAfter.join(", ")}.

| run | trials | batches | total | per trial | median batch | slowest batch |
|---|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

An incremental tick with nothing to do (every trial closed long ago, nothing changed since
its checkpoint) took ${raw.idleIncrementalMs.join(", ")} ms over the same data. Finding
applications persisted since the checkpoint has no index on \`applications.persisted_at\`
to use, so that part reads the whole table: it grows with all applications ever stored (see
docs/decisions/0012).

**Gate counters are stubbed**: every trial's snapshot comes from a function returning fixed
numbers, not from its Durable Object, so these figures are the SQL side of a build only
(the cursor read, the batch's trial rows, one grouped query over its applications per
second and per minute, one over its reviews, one upsert, the checkpoint). In production
each trial adds one Durable Object RPC, made concurrently for the batch. One batch is what
one 5-minute tick does for a running rebuild: the slowest batch is the bound that matters
for the Workers limits.
`;
}

// Run directly (`npm run bench:stats`), not when bench/run.ts imports it.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runStatsBuildBench().catch((err: unknown) => {
    console.error("[bench] failed:", err);
    process.exit(1);
  });
}
