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
// flood, distance, peers, newcomer, consumer), BENCH_SERVER_VARS (extra settings for our
// servers, "KEY=VALUE,…", e.g. "GATE_BATCH_MAX=512": a product lever measured, not changed).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { signAccessToken } from "../workers/auth/tokens";
import {
  checkOurs,
  checkPeer,
  type GateView,
  readGate,
  waitForDrain,
  waitForGateToSettle,
} from "./lib/admission-checks";
import type { LoadSpec } from "./lib/admission-load";
import { type AdmissionRaw, report } from "./lib/admission-report";
import type {
  Ceiling,
  LoadSummary,
  OurResult,
  OurRun,
  PeerResult,
  Runtime,
  Variant,
} from "./lib/admission-types";
import { createTrial } from "./lib/bench-api";
import { type DrainCapacity, measureConsumerDrain } from "./lib/consumer-drain";
import { jsonFromChild, runLoad } from "./lib/load";
import { describeMachine, postgresVersion } from "./lib/machine";
import { measureNewcomer, type NewcomerResult } from "./lib/newcomer";
import { startPeer } from "./lib/peers";
import { writeSection } from "./lib/results";
import {
  BENCH_JWT_SECRET,
  type BenchStack,
  type BenchWorker,
  ROOT,
  runDenoJob,
  startBenchStack,
} from "./lib/stack";

const SLOTS = Number(process.env.BENCH_SLOTS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const FAR_CONNECTIONS = Number(process.env.BENCH_FAR_CONNECTIONS ?? 500);
const DISTANCES = (process.env.BENCH_DISTANCES ?? "0,50,150").split(",").map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);
const POSTFILL_SECONDS = Number(process.env.BENCH_POSTFILL_SECONDS ?? 3);
const TIMEBOX_SECONDS = Number(process.env.BENCH_TIMEBOX_SECONDS ?? 8);
const SECTIONS = ["flood", "distance", "peers", "newcomer", "consumer"] as const;
type Section = (typeof SECTIONS)[number];
const ONLY = new Set(
  (process.env.BENCH_ONLY ?? SECTIONS.join(",")).split(",").map((s) => s.trim()),
);
/** Runtimes of ours to measure (both by default): "workerd", "deno". */
const RUNTIMES = (process.env.BENCH_RUNTIMES ?? "workerd,deno")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is Runtime => s === "workerd" || s === "deno");
const CEILING_SECONDS = 5;
/** Post-fill members: enough that the per-member rate limit (30 per 10 s) never trips. */
const POSTFILL_MEMBERS = 5_000;
/** Members beyond the fill's for time-boxed runs, which may admit more than BENCH_SLOTS. */
const EXTRA_MEMBERS = Number(process.env.BENCH_EXTRA_MEMBERS ?? 25_000);
/** A time-boxed run's trial: more places than it admits, so every admission is a WON. */
const TIMEBOX_PLACES = 100_000;
const PORTS = { ours: 8921, hello: 8923, peer: 8924 };
/**
 * Extra settings for every server of ours, to measure a product-side lever without editing
 * it, e.g. BENCH_SERVER_VARS="GATE_BATCH_MAX=512" (comma-separated KEY=VALUE).
 */
const SERVER_VARS: Record<string, string> = Object.fromEntries(
  (process.env.BENCH_SERVER_VARS ?? "")
    .split(",")
    .map((kv) => kv.trim())
    .filter((kv) => kv.includes("="))
    .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);
const COMMAND = "npm run bench:admission";
const METRICS_TOKEN = `bench-metrics-${crypto.randomUUID()}`;
const secret = new TextEncoder().encode(BENCH_JWT_SECRET);

interface LoadOutput extends LoadSummary {
  /** Indexes (into the tokens given) of the members answered 201. */
  created: number[];
}

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

    const variants: Variant[] = [];
    for (const runtime of RUNTIMES) {
      if (run("flood")) {
        const flood = { runtime, distanceMs: 0, connections: CONNECTIONS, mode: "fill" } as const;
        if (stack.redis) variants.push({ ...flood, redis: true, batching: true, section: "flood" });
        variants.push({ ...flood, redis: false, batching: true, section: "flood" });
        variants.push({ ...flood, redis: false, batching: true, logs: "all", section: "flood" });
        if (runtime === "workerd")
          variants.push({
            ...flood,
            redis: false,
            batching: true,
            logs: "wrangler",
            section: "flood",
          });
        variants.push({ ...flood, redis: false, batching: false, section: "flood" });
      }
      if (run("distance")) {
        for (const distanceMs of DISTANCES) {
          const far = { runtime, redis: false, distanceMs, connections: FAR_CONNECTIONS } as const;
          variants.push({ ...far, batching: true, mode: "fill", section: "distance" });
          // At 0 ms the flood already has the one-at-a-time path's figures.
          if (distanceMs > 0)
            variants.push({ ...far, batching: false, mode: "timebox", section: "distance" });
        }
      }
    }

    for (const variant of variants) {
      const name = variantName(variant);
      const repeats =
        variant.section === "flood" && variant.batching && !variant.logs ? REPEATS : 1;
      const output: Output = { lines: 0, sample: [] };
      let server = await startOurs(stack, variant, {}, output);
      try {
        const runs: OurRun[] = [];
        for (let rep = 1; rep <= repeats; rep++) {
          console.log(`[bench] ${elapsed()}: ${name}, run ${rep}…`);
          const slots = variant.mode === "fill" ? SLOTS : TIMEBOX_PLACES;
          const trialId = await createTrial(server.base, company, slots);
          const urls = server.bases.map((b) => `${b}/v1/trials/${trialId}/applications`);
          const countersBefore = await serverCounters(server);
          const linesBefore = output.lines;
          const timeboxed = variant.mode === "timebox";
          const pool_ = timeboxed ? anyone : fill;
          const load = await admissionLoad(tmp, {
            urls,
            tokens: pool_.tokens,
            connections: variant.connections,
            ...(timeboxed
              ? { durationSeconds: TIMEBOX_SECONDS, timeoutSeconds: 60 }
              : { amount: SLOTS }),
          });
          const fillLines = output.lines - linesBefore;
          const postFill =
            variant.section === "flood"
              ? await admissionLoad(tmp, {
                  urls,
                  tokens: postFillTokens,
                  connections: variant.connections,
                  durationSeconds: POSTFILL_SECONDS,
                })
              : null;
          // Requests cut off when a time box ends may still be deciding: wait until the gate
          // stops admitting. The one-at-a-time path on Deno at a distance would take minutes
          // to decide its backlog: its servers are stopped instead (what was committed stays
          // committed), the KV outbox drained by the minute job, and one server started again
          // to read the gate.
          let { gate, settled } = await waitForGateToSettle(server.base, trialId, {
            timeoutMs: timeboxed ? 15_000 : 30_000,
          });
          const counters = diffCounters(countersBefore, await serverCounters(server));
          let settle: OurRun["settle"] = settled ? "settled" : "unsettled";
          if (!settled && server.deno) {
            const { dir } = server.deno;
            await server.stop();
            await runDenoJob(server.deno, "minute");
            server = await startOurs(stack, variant, { processes: 1, dir });
            gate = (await readGate(server.base, trialId)) as GateView;
            settle = "stopped";
          }
          const drain = await waitForDrain(pool, trialId, gate.applicants);
          const invariants = await checkOurs(pool, trialId, {
            slots,
            fill: !timeboxed,
            gate,
            persisted: drain.persisted,
            createdIds: load.created.map((i) => pool_.ids[i] ?? ""),
            problems: settle === "unsettled" ? ["the gate was still admitting after the run"] : [],
          });
          if (!invariants.ok) console.error(`[bench] ${name}: ${invariants.problems.join("; ")}`);
          runs.push({
            rep,
            trialId,
            load: summary(load),
            postFill: postFill && summary(postFill),
            settle,
            drain,
            serverCounters: counters,
            logLines: variant.logs
              ? {
                  fill: fillLines,
                  postFill: output.lines - fillLines - linesBefore,
                  sample: output.sample,
                }
              : null,
            invariants,
          });
          if (settle === "stopped") break;
        }
        ours.push({ name, variant, runs });
      } finally {
        await server.stop();
      }
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
    const broken = [
      ...ours.flatMap((r) => r.runs.map((x) => ({ name: r.name, rep: x.rep, i: x.invariants }))),
      ...peers.flatMap((r) => r.runs.map((x) => ({ name: r.name, rep: x.rep, i: x.invariants }))),
      ...newcomer.map((n) => ({ name: n.name, rep: 1, i: n.invariants })),
    ].filter((x) => !x.i.ok);
    if (broken.length > 0) {
      const lines = broken.map((b) => `${b.name} run ${b.rep}: ${b.i.problems.join("; ")}`);
      throw new Error(`invariants broken:\n${lines.join("\n")}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await pool.end();
    await stack.stop();
  }
}

/** What the servers wrote (logs-on variants): lines counted, a few kept as a sample. */
interface Output {
  lines: number;
  sample: string[];
}

export function variantName(v: Variant): string {
  const path = v.batching ? "group commit" : "one at a time";
  const parts = [`Try-it on ${v.runtime}`, path];
  if (v.section === "flood") parts.push(v.redis ? "Redis on" : "no Redis");
  else parts.push(`${v.distanceMs} ms`);
  if (v.logs === "all") parts.push("logs at the defaults");
  if (v.logs === "wrangler") parts.push("wrangler's request log only");
  return parts.join(", ");
}

function startOurs(
  stack: BenchStack,
  v: Variant,
  deno: { processes?: number; dir?: string } = {},
  output: Output = { lines: 0, sample: [] },
): Promise<BenchWorker> {
  const logs = v.logs
    ? {
        logLevel: "default" as const,
        onOutput: (line: string) => {
          output.lines++;
          // A few of the lines a request writes, for the report (after start-up's banner).
          if (output.lines > 40 && output.sample.length < 4 && /POST|request/.test(line))
            output.sample.push(line.slice(0, 400));
        },
      }
    : {};
  const vars: Record<string, string> = {
    ...SERVER_VARS,
    GATE_BATCHING: v.batching ? "on" : "off",
  };
  if (v.logs === "wrangler") vars.LOG_LEVEL = "warn";
  if (v.distanceMs > 0) {
    vars.BENCH_MODE = "1";
    vars.BENCH_GATE_DISTANCE_MS = String(v.distanceMs);
  }
  if (v.runtime === "workerd")
    return stack.startWorker({ port: PORTS.ours, cache: v.redis, vars, ...logs });
  vars.METRICS_TOKEN = METRICS_TOKEN;
  return stack.startDeno({
    port: PORTS.ours,
    cache: v.redis,
    vars,
    processes: deno.processes ?? 2,
    ...(deno.dir ? { dir: deno.dir } : {}),
    ...logs,
  });
}

/** Deno's own counters (GET /metrics), summed over its processes; null on workerd. */
async function serverCounters(
  server: BenchWorker,
): Promise<{ applications: number; gateCalls: number } | null> {
  if (!server.deno) return null;
  let applications = 0;
  let gateCalls = 0;
  for (const base of server.bases) {
    const res = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    if (res.status !== 200) return null;
    for (const line of (await res.text()).split("\n")) {
      const value = Number(line.split(" ").pop());
      if (line.startsWith('tryit_gate_calls_total{op="apply"}')) gateCalls += value;
      if (
        line.startsWith("tryit_applications_total{") &&
        line.includes('via="gate"') &&
        /outcome="(WON|WAITLISTED|REPEAT)"/.test(line)
      )
        applications += value;
    }
  }
  return { applications, gateCalls };
}

function diffCounters(
  before: { applications: number; gateCalls: number } | null,
  after: { applications: number; gateCalls: number } | null,
) {
  if (!before || !after) return null;
  return {
    applications: after.applications - before.applications,
    gateCalls: Math.round((after.gateCalls - before.gateCalls) * 1000) / 1000,
  };
}

async function createMembers(
  pool: pg.Pool,
  count: number,
): Promise<{ ids: string[]; tokens: string[] }> {
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000);
    await pool.query(
      `INSERT INTO users (id, email, password_hash, name, role)
       SELECT id, 'bench-' || id || '@tryit.test', 'not-a-hash', 'Bench member', 'MEMBER'
         FROM unnest($1::uuid[]) AS id`,
      [chunk],
    );
  }
  const tokens = await Promise.all(
    ids.map((userId) => signAccessToken({ userId, role: "MEMBER" }, secret, 3600)),
  );
  return { ids, tokens };
}

async function createCompany(pool: pg.Pool): Promise<string> {
  const id = crypto.randomUUID();
  await pool.query(
    `INSERT INTO users (id, email, password_hash, name, role)
     VALUES ($1::uuid, 'bench-company-' || $1::text || '@tryit.test', 'not-a-hash', 'Bench company', 'COMPANY')`,
    [id],
  );
  return signAccessToken({ userId: id, role: "COMPANY" }, secret, 3600);
}

async function measureCeiling(url: string): Promise<Ceiling> {
  await runLoad({ url, connections: CONNECTIONS, durationSeconds: 1 }); // warm-up
  const r = await runLoad({ url, connections: CONNECTIONS, durationSeconds: CEILING_SECONDS });
  return { requestsPerSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

function admissionLoad(tmp: string, spec: LoadSpec): Promise<LoadOutput> {
  const file = join(tmp, `spec-${crypto.randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return jsonFromChild<LoadOutput>("admission load", join(ROOT, "node_modules/.bin/tsx"), [
    join(ROOT, "bench/lib/admission-load.ts"),
    file,
  ]).finally(() => rmSync(file, { force: true }));
}

/** The load's figures without the list of members answered 201 (kept out of the raw JSON). */
function summary(l: LoadOutput): LoadSummary {
  const { created: _created, ...rest } = l;
  return rest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runAdmissionBench().catch((err: unknown) => {
    console.error("[bench] failed:", err);
    process.exit(1);
  });
}
