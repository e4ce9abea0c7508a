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
import WebSocket from "ws";
import { connect } from "../db/client";
import {
  continueFullRebuild,
  STATS_LIMITS,
  startFullRebuild,
} from "../workers/scheduled/stats/jobs";
import { describeMachine, postgresVersion } from "./lib/machine";
import { writeSection } from "./lib/results";
import { ROOT, startBenchStack } from "./lib/stack";
import {
  checkBuilt,
  createTrials,
  OPENS_AT,
  REVIEWS_PER_TRIAL,
  seed,
  stubGates,
} from "./lib/stats-data";
import { type RunResult, report } from "./lib/stats-report";

const TRIALS = Number(process.env.BENCH_TRIALS ?? 1000);
const APPLICATIONS = Number(process.env.BENCH_APPLICATIONS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const COMMAND = "npm run bench:stats";
const PORT = 8941;
const DAILY = "0 0 * * *";
const TICK = "*/5 * * * *";

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
    const trialIds = await createTrials(stack.database.url, worker.base, TRIALS);
    const createMs = Math.round(performance.now() - createStarted);
    console.log(`[bench] seeding ${TRIALS} trials × ${APPLICATIONS} applications…`);
    const seedMs = await seed(stack.database.url, trialIds, APPLICATIONS);

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
      if (run === 1) await checkBuilt(stack.database.url, TRIALS);
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
          const result = await continueFullRebuild(conn.db, stubGates(APPLICATIONS), now);
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

// Run directly (`npm run bench:stats`), not when bench/run.ts imports it.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runStatsBuildBench().catch((err: unknown) => {
    console.error("[bench] failed:", err);
    process.exit(1);
  });
}
