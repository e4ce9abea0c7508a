// Choosing a database for `npm start` and for the tests, so that a newcomer needs nothing
// installed, while CI (and anyone with a local server) uses real Postgres.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startEmbeddedPostgres } from "./embedded-postgres";

export interface ResolvedDatabase<K extends string> {
  url: string;
  kind: K;
  /** Where an embedded database keeps its files (undefined for a server or in memory). */
  dataDir?: string;
  stop(): Promise<void>;
}

/** Where `npm start` keeps its embedded database (git-ignored via `.data/`). */
export const DEV_PGLITE_DIR = fileURLToPath(new URL("../../../.data/pglite", import.meta.url));
const LOCAL_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres";

async function isPostgresUp(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A failed connect can still emit 'error' later; without a listener that would crash us.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function resolveDevDatabase(
  dataDir = DEV_PGLITE_DIR,
): Promise<ResolvedDatabase<"env" | "embedded">> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return { url: fromEnv, kind: "env", stop: async () => {} };
  const embedded = await startEmbeddedPostgres({ dataDir });
  return { url: embedded.url, kind: "embedded", dataDir, stop: embedded.stop };
}

/** `localServerUrl` exists so the fallback paths can be exercised while a server is running. */
export async function resolveTestDatabase({
  localServerUrl = LOCAL_SERVER_URL,
} = {}): Promise<ResolvedDatabase<"server" | "embedded">> {
  const explicit = process.env.TEST_DATABASE_URL;
  const serverUrl = explicit ?? localServerUrl;
  if (await isPostgresUp(serverUrl)) return createScratchDatabase(serverUrl);
  if (explicit || process.env.CI === "true") {
    // Under CI a missing server is a broken environment, not a reason to test something else.
    throw new Error(
      `Postgres is not answering at ${redact(serverUrl)}` +
        (explicit ? " (TEST_DATABASE_URL)." : ". CI=true requires a real server (see .ci/run)."),
    );
  }
  const embedded = await startEmbeddedPostgres();
  console.log(`[db] no Postgres at ${redact(serverUrl)}; tests use in-memory PGlite instead`);
  return { url: embedded.url, kind: "embedded", stop: embedded.stop };
}

// One fresh database per test run, so runs never see each other's rows and can run in parallel
// (two worktrees, or CI jobs sharing one server).
async function createScratchDatabase(serverUrl: string): Promise<ResolvedDatabase<"server">> {
  const name = `tryit_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  try {
    await admin(serverUrl, `CREATE DATABASE ${name}`);
  } catch (err) {
    // 42501: a managed database (e.g. a Neon branch in TEST_DATABASE_URL) may forbid CREATE
    // DATABASE; then the given database is used as is, and the tests share it.
    if ((err as { code?: string }).code !== "42501") throw err;
    console.log(`[db] cannot create a scratch database; tests use ${redact(serverUrl)} directly`);
    return { url: serverUrl, kind: "server", stop: async () => {} };
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    kind: "server",
    stop: () => {
      // FORCE (Postgres 13+) ends connections a test may have leaked, which would block DROP.
      dropped ??= admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return dropped;
    },
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** For logs: never print a password from a connection string. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable database URL>";
  }
}
