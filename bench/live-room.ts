// `npm run bench:live`: the live trial room under a crowd (issue 15, "Targets").
//   On `wrangler dev` (as `npm start` runs it) and on Deno (one process, as `npm run
//   start:deno`): one trial, BENCH_LIVE_WATCHERS public watchers (5,000; opened in batches
//   from a process of their own) while BENCH_LIVE_MEMBERS members (1,000), each holding a
//   ticketed socket, apply at once. Measured: decision → the member's `application` message
//   (from the gate's decidedAt and from the HTTP answer's arrival), decision → the last
//   watcher's `counts` showing it (target p99 ≤ 1 s), the server processes' memory.
// Writes bench/results/live-room-<date>.json and the "Live room" section of bench/RESULTS.md.
// Env: BENCH_LIVE_WATCHERS, BENCH_LIVE_MEMBERS, BENCH_LIVE_BATCH (200),
// BENCH_RUNTIMES (workerd,deno), BENCH_LIVE_SERVER_LOGS (1: servers log at their defaults),
// TEST_DATABASE_URL (the local Postgres).
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createCompany, createMembers } from "./lib/admission-run";
import { serverMemory } from "./lib/live-figures";
import { liveReport } from "./lib/live-report";
import {
  type LiveFailure,
  LiveRunError,
  type LiveRunResult,
  type LiveSettings,
  liveRun,
} from "./lib/live-run";
import { describeMachine, postgresVersion } from "./lib/machine";
import { writeSection } from "./lib/results";
import { type BenchStack, ROOT, startBenchStack } from "./lib/stack";

const MEMBERS = Number(process.env.BENCH_LIVE_MEMBERS ?? 1_000);
const SETTINGS: LiveSettings = {
  watchers: Number(process.env.BENCH_LIVE_WATCHERS ?? 5_000),
  members: MEMBERS,
  // Six in ten win, three wait, one in ten is refused: every kind of answer, and the trial
  // fills (a `status` message) during the rush.
  slots: Math.round(MEMBERS * 0.6),
  waitlist: Math.round(MEMBERS * 0.3),
  batch: Number(process.env.BENCH_LIVE_BATCH ?? 200),
};
const RUNTIMES = (process.env.BENCH_RUNTIMES ?? "workerd,deno").split(",").map((s) => s.trim());
const PORTS: Record<string, number> = { workerd: 8931, deno: 8932 };
/** Above every socket the run opens (watchers + members), so no upgrade meets a full room. */
const MAX_WATCHERS = String(Math.max(10_000, SETTINGS.watchers + MEMBERS + 100));
/** BENCH_LIVE_SERVER_LOGS=1: the servers log at their defaults (to see why one fails). */
const SERVER_LOGS = process.env.BENCH_LIVE_SERVER_LOGS === "1" ? "default" : "warn";
export const LIVE_COMMAND = "npm run bench:live";

export async function runLiveRoomBench(): Promise<void> {
  const stack = await startBenchStack();
  const pool = new pg.Pool({ connectionString: stack.database.url, max: 4 });
  const log = (line: string) => console.log(`[bench] ${line}`);
  try {
    const company = await createCompany(pool);
    const results: LiveRunResult[] = [];
    const failures: LiveFailure[] = [];
    const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
    for (const runtime of RUNTIMES) {
      const port = PORTS[runtime];
      if (!port) throw new Error(`unknown runtime ${runtime} (workerd, deno)`);
      // The full crowd first; if the server cannot hold it, the failure is recorded and the
      // run goes on with half as many watchers (then a quarter), so there are figures anyway.
      for (const watchers of [1, 2, 4].map((d) => Math.floor(SETTINGS.watchers / d))) {
        const settings = { ...SETTINGS, watchers };
        const outcome = await runOnce(stack, runtime, port, company, pool, settings, log);
        if ("failure" in outcome) failures.push(outcome);
        else {
          results.push(outcome);
          log(summaryLine(outcome));
          break;
        }
      }
    }
    const machine = await describeMachine({ postgres: await postgresVersion(stack.database.url) });
    const date = new Date().toISOString();
    const raw = {
      bench: "live-room",
      date,
      command: LIVE_COMMAND,
      settings: SETTINGS,
      machine,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
      results,
      failures,
    };
    const dir = join(ROOT, "bench/results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `live-room-${date.slice(0, 19).replace(/:/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
    writeSection(join(ROOT, "bench/RESULTS.md"), "live-room", liveReport(raw, file));
    log(`raw results: ${file}; summary: bench/RESULTS.md`);
  } finally {
    await pool.end();
    await stack.stop();
  }
}

/** What a server's output says when it runs out of something (counted, not printed each time). */
const EXHAUSTION: Record<string, RegExp> = {
  "Too many open files": /too many open files|EMFILE/i,
  "out of memory": /out of memory|heap limit/i,
};

async function runOnce(
  stack: BenchStack,
  runtime: string,
  port: number,
  company: string,
  pool: pg.Pool,
  settings: LiveSettings,
  log: (line: string) => void,
): Promise<LiveRunResult | LiveFailure> {
  // Fresh members per run: a member applies once per trial, and tokens are cheap.
  const { tokens } = await createMembers(pool, MEMBERS);
  const vars = { LIVE_MAX_WATCHERS: MAX_WATCHERS };
  const serverErrors: Record<string, number> = {};
  const onOutput = (line: string) => {
    const kind = Object.keys(EXHAUSTION).find((k) => EXHAUSTION[k]?.test(line));
    if (kind) serverErrors[kind] = (serverErrors[kind] ?? 0) + 1;
    if (!kind || serverErrors[kind] === 1) console.log(line);
  };
  log(`${runtime}: starting the server (${settings.watchers} watchers to come)…`);
  const options = { port, cache: false, vars, logLevel: SERVER_LOGS, onOutput } as const;
  const server =
    runtime === "workerd"
      ? await stack.startWorker(options)
      : await stack.startDeno({ ...options, processes: 1 });
  try {
    return await liveRun(runtime, server.base, port, company, tokens, settings, log);
  } catch (err) {
    const failure = err instanceof Error ? err.message : String(err);
    log(
      `${runtime} with ${settings.watchers} watchers failed: ${failure}; server: ${JSON.stringify(serverErrors)}`,
    );
    const memory = err instanceof LiveRunError ? err.memory : serverMemory(port);
    return { runtime, settings, failure, serverErrors, memory };
  } finally {
    await server.stop();
  }
}

function summaryLine(r: LiveRunResult): string {
  const ms = (s: { p50: number; p99: number } | null) =>
    s ? `p50 ${s.p50} ms, p99 ${s.p99} ms` : "none";
  return (
    `${r.runtime}: application message ${ms(r.applicationFromDecidedAt)} (from decidedAt); ` +
    `last watcher's counts ${ms(r.lastWatcherCounts)}; RSS ${r.memory.idle?.totalMiB} → ${r.memory.afterRush?.totalMiB} MiB`
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runLiveRoomBench().catch((err: unknown) => {
    console.error("[bench] failed:", err);
    process.exit(1);
  });
}
