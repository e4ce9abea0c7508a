// `npm run bench:admission` (part of `npm run bench`): first-come admission into one hot
// trial, side by side, every figure of the report measured in the same run on this machine.
//   1. Ceilings: each runtime's hello-world through the same front (`wrangler dev`,
//      `Deno.serve`), same load generator (autocannon) and connections.
//   2. The flood (BENCH_CONNECTIONS, 50): a fresh trial of BENCH_SLOTS places filled by that
//      many distinct members at once, then BENCH_POSTFILL_SECONDS of other members after it
//      is full (409s). Ours on workerd (`wrangler dev`) and on Deno (two server processes on
//      one KV file, as the contract suite runs them), group commit on (with and without
//      Redis) and off (GATE_BATCHING=off: every application its own gate call); and, once
//      each, with logging at the defaults `npm start` runs with (the servers' output read
//      through a pipe), on workerd also with miniflare's request log alone: what logs cost.
//   2b. What the fill log and receipts cost (BENCH_ONLY=fill-log): the same flood against this
//      tree and against commit 610a5b7 (before them, as a git worktree), in turns
//      (bench/lib/admission-fill-log.ts); its own subsection and raw JSON.
//   3. Distance (BENCH_FAR_CONNECTIONS, 500): the gate BENCH_DISTANCES ms away (a simulated
//      round trip on every Durable Object call and every Deno KV read and commit,
//      BENCH_GATE_DISTANCE_MS): group commit fills a trial of BENCH_SLOTS places; the
//      one-at-a-time path is time-boxed (BENCH_TIMEBOX_SECONDS into a trial larger than what
//      it admits), as it is too slow to fill one.
//   4. Peers doing the same admission the way others do (bench/peers: a Postgres row lock; a
//      Redis Lua script), at the flood's load.
//   5. The main job as a newcomer runs it: `npm start` and `npm run start:deno` with default
//      settings (embedded Postgres, logs on) in a throwaway data folder, measured from outside.
//   6. The decisions consumer's capacity on a backlog.
// After every run, the invariants (bench/lib/admission-checks.ts): exactly the admitted
// number WON, seqs gapless, one place per member, every application and every 201 in Postgres.
// Writes bench/results/admission-<date>.json and the "admission" section of bench/RESULTS.md.
// Env: BENCH_SLOTS (10000), BENCH_CONNECTIONS (50), BENCH_FAR_CONNECTIONS (500),
// BENCH_DISTANCES ("0,50,150"), BENCH_REPEATS (2), BENCH_POSTFILL_SECONDS (3),
// BENCH_TIMEBOX_SECONDS (8), BENCH_RUNTIMES ("workerd,deno"), BENCH_ONLY (sections to run, e.g. "flood,distance"; all by default:
// flood, fill-log, distance, peers, newcomer, consumer), BENCH_SERVER_VARS (extra settings for our
// servers, "KEY=VALUE,…", e.g. "GATE_BATCH_MAX=512": a product lever measured, not changed).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { checkPeer } from "./lib/admission-checks";
import { type FillLogResult, measureFillLogCost } from "./lib/admission-fill-log";
import { fillLogCommand, fillLogSettings, recordFillLog } from "./lib/admission-fill-log-report";
import { measureVariant, ourVariants } from "./lib/admission-ours";
import type { AdmissionRaw } from "./lib/admission-raw";
import { report } from "./lib/admission-report";
import {
  type AdmissionRun,
  admissionLoad,
  createCompany,
  createMembers,
  summary,
} from "./lib/admission-run";
import {
  CEILING_SECONDS,
  COMMAND,
  CONNECTIONS,
  DISTANCES,
  EXTRA_MEMBERS,
  FAR_CONNECTIONS,
  ONLY,
  PORTS,
  POSTFILL_MEMBERS,
  POSTFILL_SECONDS,
  REPEATS,
  RUNTIMES,
  SECTIONS,
  SERVER_VARS,
  type Section,
  SLOTS,
  TIMEBOX_PLACES,
  TIMEBOX_SECONDS,
} from "./lib/admission-settings";
import type { Ceiling, OurResult, PeerResult, Runtime } from "./lib/admission-types";
import { type DrainCapacity, measureConsumerDrain } from "./lib/consumer-drain";
import { runLoad } from "./lib/load";
import { describeMachine, postgresVersion } from "./lib/machine";
import { measureNewcomer, type NewcomerResult } from "./lib/newcomer";
import { startPeer } from "./lib/peers";
import { writeSection } from "./lib/results";
import { BENCH_JWT_SECRET, ROOT, startBenchStack } from "./lib/stack";

export async function runAdmissionBench(): Promise<void> {
  const began = Date.now();
  const stack = await startBenchStack();
  const pool = new pg.Pool({ connectionString: stack.database.url, max: 4 });
  const tmp = mkdtempSync(join(os.tmpdir(), "tryit-admission-"));
  const loadBefore = os.loadavg();
  const elapsed = () => `${Math.round((Date.now() - began) / 1000)} s`;
  try {
    const total = SLOTS + POSTFILL_MEMBERS + EXTRA_MEMBERS;
    console.log(`[bench] ${total} members…`);
    const members = await createMembers(pool, total);
    const fill = { tokens: members.tokens.slice(0, SLOTS), ids: members.ids.slice(0, SLOTS) };
    const postFillTokens = members.tokens.slice(SLOTS, SLOTS + POSTFILL_MEMBERS);
    const anyone = members; // time-boxed runs: every member may apply
    const company = await createCompany(pool);

    const ceilings: Partial<Record<Runtime, Ceiling>> = {};
    const ours: OurResult[] = [];
    const run = (section: Section) => ONLY.has(section);

    if (run("flood") || run("distance") || run("newcomer")) {
      for (const runtime of RUNTIMES) {
        const hello = await startPeer(runtime === "workerd" ? "hello-workers" : "hello-deno", {
          port: PORTS.hello,
          env: {},
        });
        try {
          ceilings[runtime] = await measureCeiling(`${hello.base}/`);
        } finally {
          await hello.stop();
        }
        console.log(`[bench] ${runtime} ceiling: ${ceilings[runtime]?.requestsPerSecond} req/s`);
      }
    }

    const variants = ourVariants(Boolean(stack.redis), run);
    const ctx: AdmissionRun = { stack, pool, tmp, company, fill, postFillTokens, anyone, elapsed };
    for (const variant of variants) ours.push(await measureVariant(ctx, variant));

    let fillLog: FillLogResult | null = null;
    if (run("fill-log")) {
      const fillLogBegan = Date.now();
      const fillLogLoadBefore = os.loadavg();
      fillLog = await measureFillLogCost(ctx);
      const pgVersion = await postgresVersion(stack.database.url);
      const body = recordFillLog({
        bench: "admission-fill-log",
        date: new Date().toISOString(),
        command: fillLogCommand(),
        settings: fillLogSettings(SERVER_VARS),
        durationSeconds: Math.round((Date.now() - fillLogBegan) / 1000),
        machine: await describeMachine({ postgres: pgVersion }),
        loadAverageBefore: fillLogLoadBefore,
        loadAverageAfter: os.loadavg(),
        ...fillLog,
      });
      console.log(body);
    }

    const peers: PeerResult[] = [];
    if (run("peers")) {
      for (const kind of ["pg-rowlock", "redis-lua"] as const) {
        const env: Record<string, string> = {
          JWT_SECRET: BENCH_JWT_SECRET,
          DATABASE_URL: stack.database.url,
          REDIS_URL: stack.redis?.claim.url ?? "redis://127.0.0.1:6379",
        };
        const peer = await startPeer(kind, { port: PORTS.peer, env });
        try {
          const runs: PeerResult["runs"] = [];
          for (let rep = 1; rep <= REPEATS; rep++) {
            const created = await fetch(`${peer.base}/peer/trials`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ slots: SLOTS }),
            }).then((r) => r.json() as Promise<{ id: string }>);
            const urls = [`${peer.base}/v1/trials/${created.id}/applications`];
            console.log(`[bench] ${elapsed()}: peer ${kind}, run ${rep}…`);
            const load = await admissionLoad(tmp, {
              urls,
              tokens: fill.tokens,
              connections: CONNECTIONS,
              amount: SLOTS,
            });
            const postFill = await admissionLoad(tmp, {
              urls,
              tokens: postFillTokens,
              connections: CONNECTIONS,
              durationSeconds: POSTFILL_SECONDS,
            });
            runs.push({
              rep,
              load: summary(load),
              postFill: summary(postFill),
              invariants: await checkPeer(peer.base, created.id, SLOTS),
            });
          }
          peers.push({ name: `peer: ${kind}`, runs });
        } finally {
          await peer.stop();
        }
      }
    }

    const newcomer: NewcomerResult[] = [];
    if (run("newcomer")) {
      for (const script of RUNTIMES.map((r) => (r === "workerd" ? "start" : "start:deno"))) {
        console.log(`[bench] ${elapsed()}: npm run ${script}, default settings, from outside…`);
        newcomer.push(
          await measureNewcomer(script, {
            tmp,
            members: {
              ids: members.ids.slice(0, SLOTS + POSTFILL_MEMBERS),
              tokens: members.tokens.slice(0, SLOTS + POSTFILL_MEMBERS),
            },
            slots: SLOTS,
            connections: CONNECTIONS,
            postFillSeconds: POSTFILL_SECONDS,
            jwtSecret: BENCH_JWT_SECRET,
            load: (spec) =>
              admissionLoad(tmp, spec).then((l) => ({ summary: summary(l), created: l.created })),
          }),
        );
      }
    }

    const consumer: DrainCapacity[] = [];
    if (run("consumer")) {
      console.log(`[bench] ${elapsed()}: consumer capacity: a backlog into Postgres…`);
      const database = { url: stack.database.url, wsProxy: stack.proxy.address };
      consumer.push(await measureConsumerDrain(pool, database, fill.ids, 1));
      consumer.push(await measureConsumerDrain(pool, database, fill.ids, 4));
    }

    const broken = [
      ...ours.flatMap((r) => r.runs.map((x) => ({ name: r.name, rep: x.rep, i: x.invariants }))),
      ...peers.flatMap((r) => r.runs.map((x) => ({ name: r.name, rep: x.rep, i: x.invariants }))),
      ...newcomer.map((n) => ({ name: n.name, rep: 1, i: n.invariants })),
      ...(fillLog?.runtimes ?? []).flatMap((r) =>
        r.runs.map((x) => ({
          name: `fill log ${x.build}, ${r.runtime}`,
          rep: x.rep,
          i: x.invariants,
        })),
      ),
    ].filter((x) => !x.i.ok);
    const brokenError = () => {
      const lines = broken.map((b) => `${b.name} run ${b.rep}: ${b.i.problems.join("; ")}`);
      return new Error(`invariants broken:\n${lines.join("\n")}`);
    };
    // The fill log's section alone: its own subsection and JSON are written; the admission
    // section's figures stay as the last full run left them.
    if (!SECTIONS.some((s) => s !== "fill-log" && run(s))) {
      console.log(`[bench] admission took ${elapsed()}`);
      if (broken.length > 0) throw brokenError();
      return;
    }

    const machine = await describeMachine({ postgres: await postgresVersion(stack.database.url) });
    const date = new Date().toISOString();
    const raw: AdmissionRaw = {
      bench: "admission",
      date,
      command: COMMAND,
      settings: {
        slots: SLOTS,
        connections: CONNECTIONS,
        farConnections: FAR_CONNECTIONS,
        distancesMs: DISTANCES,
        repeats: REPEATS,
        postFillSeconds: POSTFILL_SECONDS,
        timeboxSeconds: TIMEBOX_SECONDS,
        timeboxPlaces: TIMEBOX_PLACES,
        sections: SECTIONS.filter(run),
        runtimes: RUNTIMES,
        serverVars: SERVER_VARS,
      },
      durationSeconds: Math.round((Date.now() - began) / 1000),
      machine,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg(),
      ceilings,
      ours,
      peers,
      newcomer,
      consumer,
    };
    const dir = join(ROOT, "bench/results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `admission-${date.slice(0, 19).replace(/:/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
    const body = report(raw, file);
    writeSection(join(ROOT, "bench/RESULTS.md"), "admission", body);
    console.log(body);
    console.log(`[bench] admission took ${elapsed()}`);
    if (broken.length > 0) throw brokenError();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await pool.end();
    await stack.stop();
  }
}

async function measureCeiling(url: string): Promise<Ceiling> {
  await runLoad({ url, connections: CONNECTIONS, durationSeconds: 1 }); // warm-up
  const r = await runLoad({ url, connections: CONNECTIONS, durationSeconds: CEILING_SECONDS });
  return { requestsPerSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runAdmissionBench().catch((err: unknown) => {
    console.error("[bench] failed:", err);
    process.exit(1);
  });
}
