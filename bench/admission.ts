// `npm run bench:admission` (part of `npm run bench`): first-come admission side by side.
//   Ours on workerd (`wrangler dev`) and on Deno (workers/deno.ts), two peers doing the same
//   admission the way others do (bench/peers: a Postgres row lock; a Redis Lua script), and
//   each runtime's hello-world ceiling, all with the same load generator (autocannon) at the
//   same connection count, one after another on this machine.
//   Per target and repetition: a fresh trial of BENCH_SLOTS places filled by that many
//   distinct members at once (throughput, p50/p99, time to fill), then post-fill requests by
//   other members (409s), then the invariants: exactly BENCH_SLOTS WON, gapless seqs, one
//   place per member, every application in Postgres once the pipeline drains (and how fast
//   it drained).
// Writes bench/results/admission-<date>.json and the "admission" section of bench/RESULTS.md.
// Env: BENCH_SLOTS (10000), BENCH_CONNECTIONS (50), BENCH_REPEATS (3), BENCH_POSTFILL_SECONDS (3).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { signAccessToken } from "../workers/auth/tokens";
import { type DrainCapacity, measureConsumerDrain } from "./lib/consumer-drain";
import { jsonFromChild, runLoad } from "./lib/load";
import { describeMachine, machineSentence, median, postgresVersion } from "./lib/machine";
import { startPeer } from "./lib/peers";
import { writeSection } from "./lib/results";
import { BENCH_JWT_SECRET, ROOT, startBenchStack } from "./lib/stack";

const SLOTS = Number(process.env.BENCH_SLOTS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const POSTFILL_SECONDS = Number(process.env.BENCH_POSTFILL_SECONDS ?? 3);
const CEILING_SECONDS = 5;
/** Post-fill members: enough that the per-member rate limit (30 per 10 s) never trips. */
const POSTFILL_MEMBERS = 5_000;
const COMMAND = "npm run bench:admission";
const secret = new TextEncoder().encode(BENCH_JWT_SECRET);

interface AdmissionLoad {
  wallMs: number;
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

interface FillRun {
  rep: number;
  fill: AdmissionLoad;
  postFill: AdmissionLoad;
  invariants: Invariants;
  drain: { ms: number | null; perSecond: number | null; lagMs: number | null };
}

interface Invariants {
  won: number;
  distinctMembers: number;
  maxSeq: number;
  persisted: number | null;
  ok: boolean;
  problems: string[];
}

interface TargetResult {
  name: string;
  runtime: "workerd" | "deno" | "node";
  runs: FillRun[];
  ceiling?: { requestsPerSecond: number; p50: number; p99: number };
}

export async function runAdmissionBench(): Promise<void> {
  const stack = await startBenchStack();
  const pool = new pg.Pool({ connectionString: stack.database.url, max: 4 });
  const tmp = mkdtempSync(join(os.tmpdir(), "tryit-admission-"));
  const loadBefore = os.loadavg();
  try {
    console.log(`[bench] ${SLOTS + POSTFILL_MEMBERS} members…`);
    const members = await createMembers(pool, SLOTS + POSTFILL_MEMBERS);
    const fillTokens = members.tokens.slice(0, SLOTS);
    const fillTokenUsers = members.ids.slice(0, SLOTS);
    const postFillTokens = members.tokens.slice(SLOTS);
    const company = await createCompany(pool);
    const results: TargetResult[] = [];

    // Ours in the production configuration (Redis on: revocation marker and per-member rate
    // limit in one round trip before the gate) and without Redis (the token and the gate only).
    const variants = [
      { runtime: "workerd", redis: true },
      { runtime: "workerd", redis: false },
      { runtime: "deno", redis: true },
      { runtime: "deno", redis: false },
    ] as const;
    const ceilings = new Map<string, TargetResult["ceiling"]>();
    for (const { runtime, redis } of variants) {
      if (redis && !stack.redis) continue;
      const server =
        runtime === "workerd"
          ? await stack.startWorker({ port: 8921, cache: redis })
          : await stack.startDeno({ port: 8922, cache: redis });
      try {
        if (!ceilings.has(runtime)) {
          const hello = await startPeer(runtime === "workerd" ? "hello-workers" : "hello-deno", {
            port: 8923,
            env: {},
          });
          try {
            ceilings.set(runtime, await measureCeiling(`${hello.base}/`));
          } finally {
            await hello.stop();
          }
        }
        const name = `Try-it on ${runtime}, ${redis ? "Redis on" : "no Redis"}`;
        const runs: FillRun[] = [];
        for (let rep = 1; rep <= REPEATS; rep++) {
          const trialId = await createTrial(server.base, company);
          const url = `${server.base}/v1/trials/${trialId}/applications`;
          console.log(`[bench] ${name}, run ${rep}: ${SLOTS} members…`);
          const fill = await admissionLoad(tmp, { url, tokens: fillTokens, amount: SLOTS });
          const postFill = await admissionLoad(tmp, {
            url,
            tokens: postFillTokens,
            durationSeconds: POSTFILL_SECONDS,
          });
          const drain = await waitForDrain(pool, trialId);
          const invariants = await ourInvariants(pool, server.base, trialId, drain.persisted);
          runs.push({ rep, fill, postFill, drain, invariants });
        }
        results.push({ name, runtime, runs, ceiling: ceilings.get(runtime) });
      } finally {
        await server.stop();
      }
    }

    for (const kind of ["pg-rowlock", "redis-lua"] as const) {
      const env: Record<string, string> = {
        JWT_SECRET: BENCH_JWT_SECRET,
        DATABASE_URL: stack.database.url,
        REDIS_URL: stack.redis?.claim.url ?? "redis://127.0.0.1:6379",
      };
      const peer = await startPeer(kind, { port: 8924, env });
      try {
        const runs: FillRun[] = [];
        for (let rep = 1; rep <= REPEATS; rep++) {
          const created = await fetch(`${peer.base}/peer/trials`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ slots: SLOTS }),
          }).then((r) => r.json() as Promise<{ id: string }>);
          const url = `${peer.base}/v1/trials/${created.id}/applications`;
          console.log(`[bench] peer ${kind}, run ${rep}: ${SLOTS} members…`);
          const fill = await admissionLoad(tmp, { url, tokens: fillTokens, amount: SLOTS });
          const postFill = await admissionLoad(tmp, {
            url,
            tokens: postFillTokens,
            durationSeconds: POSTFILL_SECONDS,
          });
          runs.push({
            rep,
            fill,
            postFill,
            drain: { ms: null, perSecond: null, lagMs: null },
            invariants: await peerInvariants(peer.base, created.id),
          });
        }
        results.push({ name: `peer: ${kind}`, runtime: "node", runs });
      } finally {
        await peer.stop();
      }
    }

    console.log("[bench] consumer capacity: a backlog of applications into Postgres…");
    const database = { url: stack.database.url, wsProxy: stack.proxy.address };
    const consumer = [
      await measureConsumerDrain(pool, database, fillTokenUsers.slice(0, SLOTS), 1),
      await measureConsumerDrain(pool, database, fillTokenUsers.slice(0, SLOTS), 4),
    ];

    const machine = await describeMachine({ postgres: await postgresVersion(stack.database.url) });
    const date = new Date().toISOString();
    const raw = {
      bench: "admission",
      date,
      command: COMMAND,
      slots: SLOTS,
      connections: CONNECTIONS,
      repeats: REPEATS,
      postFillSeconds: POSTFILL_SECONDS,
      machine,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg(),
      results,
      consumer,
    };
    const dir = join(ROOT, "bench/results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `admission-${date.slice(0, 19).replace(/:/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
    const body = report(results, consumer, machine, file);
    writeSection(join(ROOT, "bench/RESULTS.md"), "admission", body);
    console.log(body);
    const broken = results.flatMap((r) =>
      r.runs
        .filter((x) => !x.invariants.ok)
        .map((x) => `${r.name} run ${x.rep}: ${x.invariants.problems.join("; ")}`),
    );
    if (broken.length > 0) throw new Error(`invariants broken:\n${broken.join("\n")}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await pool.end();
    await stack.stop();
  }
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

async function createTrial(base: string, token: string): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  const product = await post("/v1/products", { name: "Bench product", description: "bench" });
  const trial = await post("/v1/trials", {
    productId: product.id,
    title: "Bench trial",
    description: "bench",
    slots: SLOTS,
    waitlistSize: 0,
    opensAt: new Date(Date.now() - 1000).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  return trial.id;
}

async function measureCeiling(url: string) {
  await runLoad({ url, connections: CONNECTIONS, durationSeconds: 1 }); // warm-up
  const r = await runLoad({ url, connections: CONNECTIONS, durationSeconds: CEILING_SECONDS });
  return { requestsPerSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

function admissionLoad(
  tmp: string,
  spec: { url: string; tokens: string[]; amount?: number; durationSeconds?: number },
): Promise<AdmissionLoad> {
  const file = join(tmp, `spec-${crypto.randomUUID()}.json`);
  writeFileSync(file, JSON.stringify({ ...spec, connections: CONNECTIONS }));
  return jsonFromChild<AdmissionLoad>("admission load", join(ROOT, "node_modules/.bin/tsx"), [
    join(ROOT, "bench/lib/admission-load.ts"),
    file,
  ]);
}

/** Until Postgres holds every application (or 120 s pass): how long the pipeline took. */
async function waitForDrain(pool: pg.Pool, trialId: string) {
  const loadEnded = Date.now();
  const deadline = loadEnded + 120_000;
  for (;;) {
    const { rows } = await pool.query<{ n: string; first: Date | null; last: Date | null }>(
      `SELECT count(*) AS n, min(persisted_at) AS first, max(persisted_at) AS last
         FROM applications WHERE trial_id = $1`,
      [trialId],
    );
    const row = rows[0];
    const n = Number(row?.n ?? 0);
    if (n >= SLOTS && row?.first && row.last) {
      const ms = row.last.getTime() - row.first.getTime();
      return {
        persisted: n,
        ms,
        perSecond: ms > 0 ? Math.round((n / ms) * 1000) : null,
        lagMs: Math.max(0, row.last.getTime() - loadEnded),
      };
    }
    if (Date.now() > deadline) return { persisted: n, ms: null, perSecond: null, lagMs: null };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function ourInvariants(pool: pg.Pool, base: string, trialId: string, persisted: number) {
  const problems: string[] = [];
  const trial = (await fetch(`${base}/v1/trials/${trialId}`).then((r) => r.json())) as {
    won: number;
    applicants: number;
    status: string;
    closedReason: string | null;
  };
  if (trial.won !== SLOTS) problems.push(`gate says ${trial.won} WON`);
  if (trial.status !== "CLOSED" || trial.closedReason !== "FULL")
    problems.push(`status ${trial.status}/${trial.closedReason}`);
  const { rows } = await pool.query<{
    won: string;
    members: string;
    max_seq: number | null;
    seqs: string;
  }>(
    `SELECT count(*) FILTER (WHERE status = 'WON') AS won, count(DISTINCT user_id) AS members,
            max(seq) AS max_seq, count(DISTINCT seq) AS seqs
       FROM applications WHERE trial_id = $1`,
    [trialId],
  );
  const r = rows[0];
  const won = Number(r?.won ?? 0);
  const distinctMembers = Number(r?.members ?? 0);
  const maxSeq = Number(r?.max_seq ?? 0);
  if (persisted !== SLOTS) problems.push(`${persisted} rows in Postgres`);
  if (won !== SLOTS) problems.push(`${won} WON in Postgres`);
  if (distinctMembers !== SLOTS) problems.push(`${distinctMembers} distinct members`);
  if (maxSeq !== SLOTS || Number(r?.seqs) !== SLOTS)
    problems.push(`seqs not gapless (max ${maxSeq})`);
  return { won, distinctMembers, maxSeq, persisted, ok: problems.length === 0, problems };
}

async function peerInvariants(base: string, trialId: string): Promise<Invariants> {
  const s = (await fetch(`${base}/peer/trials/${trialId}`).then((r) => r.json())) as {
    taken: number;
    applications: number;
    distinctUsers: number;
    maxSeq: number;
  };
  const problems: string[] = [];
  if (s.taken !== SLOTS || s.applications !== SLOTS)
    problems.push(`taken ${s.taken}, rows ${s.applications}`);
  if (s.distinctUsers !== SLOTS) problems.push(`${s.distinctUsers} distinct members`);
  if (s.maxSeq !== SLOTS) problems.push(`max seq ${s.maxSeq}`);
  return {
    won: s.applications,
    distinctMembers: s.distinctUsers,
    maxSeq: s.maxSeq,
    persisted: null,
    ok: problems.length === 0,
    problems,
  };
}

const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;
/** Requests per second of one load run, by wall clock. */
const rps = (l: AdmissionLoad) => (l.requests.total / l.wallMs) * 1000;

function summarize(t: TargetResult) {
  return {
    fillRps: median(t.runs.map((r) => rps(r.fill))),
    fillP50: median(t.runs.map((r) => r.fill.latency.p50)),
    fillP99: median(t.runs.map((r) => r.fill.latency.p99)),
    fillSeconds: median(t.runs.map((r) => r.fill.wallMs / 1000)),
    postFillRps: median(t.runs.map((r) => rps(r.postFill))),
    postFillP99: median(t.runs.map((r) => r.postFill.latency.p99)),
    drainPerSecond: t.runs.every((r) => r.drain.perSecond !== null)
      ? median(t.runs.map((r) => r.drain.perSecond ?? 0))
      : null,
    drainLagMs: t.runs.every((r) => r.drain.lagMs !== null)
      ? median(t.runs.map((r) => r.drain.lagMs ?? 0))
      : null,
    invariantsOk: t.runs.every((r) => r.invariants.ok),
    codes: t.runs.map((r) => ({ ...r.fill.statusCodes, postFill: r.postFill.statusCodes })),
  };
}

function report(
  results: TargetResult[],
  consumer: DrainCapacity[],
  machine: Awaited<ReturnType<typeof describeMachine>>,
  file: string,
) {
  const rows = results.map((t) => ({ t, s: summarize(t) }));
  const peer = (name: string) => rows.find((r) => r.t.name === `peer: ${name}`)?.s.fillRps ?? 0;
  const pct = (x: number, of: number | undefined) => (of ? `${round((x / of) * 100)} %` : "–");
  const lines = [
    "## Admission: one hot trial, side by side",
    "",
    `Run ${new Date().toISOString()} with \`${COMMAND}\` (also part of \`npm run bench\`). ${machineSentence(machine)}`,
    "",
    `Each run: a fresh trial of ${SLOTS} places filled by ${SLOTS} distinct members at once (autocannon, ${CONNECTIONS} connections, one application per member), then ${POSTFILL_SECONDS} s of applications by other members after it is full (409s). Medians of ${REPEATS} runs. Throughput is requests ÷ (last answer − first request). "Ceiling" is a hello-world on the same runtime through the same front (\`wrangler dev\` for workerd, \`Deno.serve\` for Deno), same load generator and connections. Everything shares this machine (load generator, servers, Postgres, Redis and its REST bridge), one run after another.`,
    "",
    "| target | fill req/s | p50 ms | p99 ms | time to fill s | post-fill req/s | post-fill p99 ms | ceiling req/s | fill ÷ ceiling | post-fill ÷ ceiling | drain apps/s | drain lag ms | invariants |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map(({ t, s }) => {
      const c = t.ceiling?.requestsPerSecond;
      return `| ${t.name} | ${round(s.fillRps)} | ${s.fillP50} | ${s.fillP99} | ${round(s.fillSeconds, 2)} | ${round(s.postFillRps)} | ${s.postFillP99} | ${c ? round(c) : "–"} | ${pct(s.fillRps, c)} | ${pct(s.postFillRps, c)} | ${s.drainPerSecond ?? "–"} | ${s.drainLagMs ?? "–"} | ${s.invariantsOk ? "exact" : "**BROKEN**"} |`;
    }),
    "",
    "Ours ÷ the peers (fill throughput, same machine, same load):",
    "",
    "| ours | ÷ pg-rowlock | ÷ redis-lua |",
    "|---|---|---|",
    ...rows
      .filter(({ t }) => t.runtime !== "node")
      .map(
        ({ t, s }) =>
          `| ${t.name} | ${round(s.fillRps / (peer("pg-rowlock") || 1), 2)}× | ${round(s.fillRps / (peer("redis-lua") || 1), 2)}× |`,
      ),
    "",
    `Consumer capacity (the decisions consumer, \`persistDecisions\`, on a backlog of ${consumer[0]?.applications ?? 0} applications in batches of ${consumer[0]?.batchSize ?? 100}, notification rows included, through the production driver and the local WebSocket proxy): ${consumer.map((c) => `${c.perSecond} applications/s with ${c.concurrency} batch${c.concurrency > 1 ? "es" : ""} at a time`).join("; ")}.`,
    "",
    `"Invariants" are checked after every run: exactly ${SLOTS} WON at the gate and in Postgres, seqs gapless 1..${SLOTS}, one place per member; for the peers the same through their own tables and keys. "Drain" is the end-to-end pipeline during the flood (first to last \`persisted_at\`, bounded by the admission rate) and how long after the last answer the last row landed. Raw: \`${relative(ROOT, file)}\`.`,
  ];
  return lines.join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runAdmissionBench().catch((err: unknown) => {
    console.error("[bench] failed:", err);
    process.exit(1);
  });
}
