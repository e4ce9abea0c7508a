// Postgres without a server install: PGlite (Postgres compiled to wasm) behind a loopback
// wire-protocol socket, so `pg`, drizzle and the Neon driver (via the ws proxy) all connect to it
// like to any Postgres. Used by `npm start` on a fresh machine and by tests when no server runs.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { servePglite } from "./pglite-server";

export interface EmbeddedPostgresOptions {
  /** Directory for persistent data; undefined keeps everything in memory. */
  dataDir?: string;
  port?: number;
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (no password: PGlite accepts any client). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const { port = 0, maxConnections = 100 } = opts;
  const dataDir = opts.dataDir ? resolve(opts.dataDir) : undefined;
  // PGlite does not stop two processes from opening one data directory, and that corrupts it
  // (e.g. `npm run db:migrate` while `npm start` runs), so take a pid lock next to it first.
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  let db: PGlite | undefined;
  try {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    db = await PGlite.create(dataDir ? { dataDir } : {});
    const server = await servePglite(db, { port, maxConnections });
    const pglite = db;
    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://postgres@127.0.0.1:${server.port}/postgres`,
      port: server.port,
      // Idempotent: signal handlers and finally-blocks may both call it.
      stop: () => {
        stopped ??= (async () => {
          try {
            await server.close();
            await pglite.close(); // flushes to disk; skipping it loses recent writes
          } finally {
            unlock();
          }
        })();
        return stopped;
      },
    };
  } catch (err) {
    await db?.close().catch(() => {});
    unlock();
    throw err;
  }
}

function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  mkdirSync(dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(lockFile, "utf8").trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(
          `${dataDir} is in use by process ${pid} (is \`npm start\` running?). ` +
            "Stop it first, or set DATABASE_URL to use another database.",
        );
      }
      rmSync(lockFile, { force: true }); // stale: its owner crashed without cleaning up
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
