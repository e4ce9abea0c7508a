// The main job as a newcomer runs it, measured from outside: `npm start` or
// `npm run start:deno` exactly as the README says (no DATABASE_URL: embedded PGlite; no
// REDIS_URL; logs at their default level, written to a pipe as a terminal would get them),
// in a throwaway TRYIT_DATA_DIR, then the same fill and post-fill as the bench's own stack.
// The data folder is prepared beforehand the way the app would find it after sign-ups: the
// members and a company in its embedded database (written through PGlite itself, then
// closed), and the dev JWT secret in its `dev-secret` file, so the bench can mint tokens.
// After the run: the gate settles, Postgres is read through the API until it holds every
// application, the app is stopped with SIGINT as Ctrl-C would, and the invariants are
// checked in its embedded database, reopened.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../scripts/local-stack/postgres/embedded-postgres";
import { migrateDatabase } from "../../scripts/local-stack/postgres/migrate";
import { isPortFree, waitForHttp } from "../../scripts/local-stack/supervision/readiness";
import { signAccessToken } from "../../workers/auth/tokens";
import { checkOurs, type Invariants, sleep, waitForGateToSettle } from "./admission-checks";
import type { LoadSpec } from "./admission-load";
import type { LoadSummary } from "./admission-types";
import { createTrial } from "./bench-api";
import { ROOT } from "./stack";

export interface NewcomerResult {
  name: string;
  script: "start" | "start:deno";
  load: LoadSummary;
  postFill: LoadSummary;
  /** Lines the app wrote to its stdout and stderr during the fill and the post-fill. */
  logLines: { fill: number; postFill: number };
  /** From the end of the load until the API listed every application from Postgres. */
  drainMs: number | null;
  invariants: Invariants;
}

const PORTS = { start: 8931, "start:deno": 8932 } as const;

export async function measureNewcomer(
  script: "start" | "start:deno",
  opts: {
    tmp: string;
    members: { ids: string[]; tokens: string[] };
    slots: number;
    connections: number;
    postFillSeconds: number;
    jwtSecret: string;
    load(spec: LoadSpec): Promise<{ summary: LoadSummary; created: number[] }>;
  },
): Promise<NewcomerResult> {
  const name = script === "start" ? "npm start (workerd)" : "npm run start:deno";
  const port = PORTS[script];
  if (!(await isPortFree(port))) throw new Error(`port ${port} is in use`);
  const dataDir = mkdtempSync(join(opts.tmp, `newcomer-${script.replace(":", "-")}-`));
  const secret = new TextEncoder().encode(opts.jwtSecret);
  const companyId = crypto.randomUUID();
  try {
    await seedEmbedded(join(dataDir, "pglite"), opts.members.ids, companyId);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, "dev-secret"), `${opts.jwtSecret}\n`, { mode: 0o600 });
    const company = await signAccessToken({ userId: companyId, role: "COMPANY" }, secret, 3600);

    // The newcomer's environment: nothing of the bench's (no database, Redis or log level).
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (/^(DATABASE_URL|TEST_DATABASE_URL|REDIS_URL|JWT_SECRET|LOG_LEVEL|BENCH_|GATE_)/.test(k))
        continue;
      env[k] = v;
    }
    const logFile = join(dataDir, "app.log");
    const logStream = createWriteStream(logFile);
    let lines = 0;
    const child = spawn("npm", ["run", script], {
      cwd: ROOT,
      env: { ...env, PORT: String(port), TRYIT_DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const count = (chunk: Buffer) => {
      logStream.write(chunk);
      for (const byte of chunk) if (byte === 10) lines++;
    };
    child.stdout?.on("data", count);
    child.stderr?.on("data", count);
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const base = `http://127.0.0.1:${port}`;
    let invariants: Invariants;
    let load: { summary: LoadSummary; created: number[] };
    let postFill: { summary: LoadSummary; created: number[] };
    const logLines = { fill: 0, postFill: 0 };
    let drainMs: number | null = null;
    try {
      await waitForHttp(`${base}/healthz`, { timeoutMs: 180_000, giveUp: exited });
      const trialId = await createTrial(base, company, opts.slots);
      const urls = [`${base}/v1/trials/${trialId}/applications`];
      let before = lines;
      load = await opts.load({
        urls,
        tokens: opts.members.tokens.slice(0, opts.slots),
        connections: opts.connections,
        amount: opts.slots,
      });
      logLines.fill = lines - before;
      before = lines;
      postFill = await opts.load({
        urls,
        tokens: opts.members.tokens.slice(opts.slots),
        connections: opts.connections,
        durationSeconds: opts.postFillSeconds,
      });
      logLines.postFill = lines - before;
      const { gate, settled } = await waitForGateToSettle(base, trialId, { timeoutMs: 30_000 });
      const drainStarted = Date.now();
      const listed = await waitForListed(base, trialId, company, gate.applicants, 240_000);
      if (listed >= gate.applicants) drainMs = Date.now() - drainStarted;
      await stopGroup(child.pid, exited);
      logStream.end();
      invariants = await checkEmbedded(join(dataDir, "pglite"), trialId, {
        slots: opts.slots,
        fill: true,
        gate,
        persisted: null,
        createdIds: load.created.map((i) => opts.members.ids[i] ?? ""),
        problems: [
          ...(settled ? [] : ["the gate was still admitting after the run"]),
          ...(drainMs === null ? [`only ${listed} applications listed from Postgres`] : []),
        ],
      });
    } finally {
      await stopGroup(child.pid, exited);
      logStream.end();
    }
    return {
      name,
      script,
      load: load.summary,
      postFill: postFill.summary,
      logLines,
      drainMs,
      invariants,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The members and the company, written into the app's embedded database before it starts. */
async function seedEmbedded(dir: string, memberIds: string[], companyId: string): Promise<void> {
  const db = await startEmbeddedPostgres({ dataDir: dir });
  try {
    await migrateDatabase(db.url);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (let i = 0; i < memberIds.length; i += 5000) {
        await client.query(
          `INSERT INTO users (id, email, password_hash, name, role)
           SELECT id, 'bench-' || id || '@tryit.test', 'not-a-hash', 'Bench member', 'MEMBER'
             FROM unnest($1::uuid[]) AS id`,
          [memberIds.slice(i, i + 5000)],
        );
      }
      await client.query(
        `INSERT INTO users (id, email, password_hash, name, role)
         VALUES ($1::uuid, 'bench-company-' || $1::text || '@tryit.test', 'not-a-hash', 'Bench company', 'COMPANY')`,
        [companyId],
      );
    } finally {
      await client.end();
    }
  } finally {
    await db.stop();
  }
}

async function checkEmbedded(
  dir: string,
  trialId: string,
  opts: Parameters<typeof checkOurs>[2],
): Promise<Invariants> {
  const db = await startEmbeddedPostgres({ dataDir: dir });
  try {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return await checkOurs(client, trialId, opts);
    } finally {
      await client.end();
    }
  } finally {
    await db.stop();
  }
}

/**
 * How many of the trial's applications the API lists (GET …/applications reads Postgres),
 * polled until `expected` or the deadline: the app's own pipeline, seen from outside.
 */
async function waitForListed(
  base: string,
  trialId: string,
  token: string,
  expected: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let listed = 0;
  while (Date.now() < deadline) {
    listed = 0;
    let cursor: string | null = null;
    do {
      const query: string = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await fetch(`${base}/v1/trials/${trialId}/applications?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) throw new Error(`listing applications: ${res.status}`);
      const page = (await res.json()) as { items: unknown[]; nextCursor: string | null };
      listed += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    if (listed >= expected) return listed;
    await sleep(2000);
  }
  return listed;
}

/** Ctrl-C as a terminal sends it (SIGINT to the group), SIGKILL if it hangs past 30 s. */
async function stopGroup(pid: number | undefined, exited: Promise<number | null>): Promise<void> {
  if (pid === undefined) return;
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-pid, "SIGINT");
  } catch {
    return;
  }
  const timeout = sleep(30_000).then(() => "timeout");
  if ((await Promise.race([exited, timeout])) === "timeout" && alive()) {
    process.kill(-pid, "SIGKILL");
  }
  for (let i = 0; i < 100 && alive(); i++) await sleep(100);
}
