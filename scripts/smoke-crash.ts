// CI's proof that a local stack killed hard leaves nothing running and starts again (issue 13,
// finding 16): `npm start` (or `npm run start:deno`, given as the first argument) on the
// embedded default in a throwaway data folder, then
//   1. SIGKILL of the supervisor (scripts/start.ts itself, no handler runs): within a few
//      seconds no process of the server's group is left and the port is free (the watchdog);
//   2. a second start answers /healthz;
//   3. SIGKILL of the supervisor and of the group's watchdog at once (wrangler or deno
//      orphaned, still serving): a third start ends them (the recorded group) and answers;
//   4. SIGINT stops the third one cleanly.
// Whatever fails, every process it started is killed before it exits.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { groupAlive } from "./local-stack/supervision/process-group";
import { isPortFree } from "./local-stack/supervision/readiness";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const script = process.argv[2] ?? "start";
if (script !== "start" && script !== "start:deno") throw new Error(`unknown script ${script}`);
const entry = resolve(ROOT, script === "start" ? "scripts/start.ts" : "scripts/start-deno.ts");
const port = 20_000 + Math.floor(Math.random() * 2000);
const dataDir = mkdtempSync(join(tmpdir(), "tryit-crash-"));
const groupFile = join(dataDir, "server-group.json");
const base = `http://127.0.0.1:${port}`;
const log = (message: string) => console.log(`smoke-crash (${script}): ${message}`);
const fail = (message: string): never => {
  throw new Error(`smoke-crash (${script}): ${message}`);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The embedded default: no database URL, no Redis.
const { DATABASE_URL: _db, REDIS_URL: _redis, ...env } = process.env;
/** Every supervisor and server group started here, killed in `finally` whatever happened. */
const supervisors: ChildProcess[] = [];
const serverGroups = new Set<number>();

/** The supervisor itself (node running the script, no npm or tsx process in between). */
function startSupervisor(): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), TRYIT_DATA_DIR: dataDir },
    stdio: ["ignore", "inherit", "inherit"],
    // Its own group, so `finally` can end it and anything that stayed in it.
    detached: true,
  });
  supervisors.push(child);
  const exited = new Promise((r) => child.once("exit", r));
  return { child, exited };
}

async function healthy(exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !gone) {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).catch(
      () => null,
    );
    if (res?.status === 200) {
      const body = (await res.json()) as { checks?: { db?: string } };
      if (body.checks?.db === "ok") return;
    }
    await sleep(300);
  }
  fail(gone ? "the start exited before it was healthy" : "no healthy /healthz within 120 s");
}

/** The server's process group as the running start recorded it. */
function recordedGroup(): number {
  const { pgid } = JSON.parse(readFileSync(groupFile, "utf8")) as { pgid?: number };
  if (!pgid || !groupAlive(pgid)) fail(`no live server group recorded in ${groupFile}`);
  serverGroups.add(pgid as number);
  return pgid as number;
}

function groupListing(pgid: number): string {
  try {
    const out = execFileSync("ps", ["-A", "-o", "pid=,pgid=,args="], { encoding: "utf8" });
    return out
      .split("\n")
      .filter((l) => l.trim().split(/\s+/)[1] === String(pgid))
      .join("\n");
  } catch {
    return "(ps failed)";
  }
}

/** Nothing of the group alive and the port free, within `ms`. */
async function goneWithin(pgid: number, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (!groupAlive(pgid) && (await isPortFree(port))) return Date.now() - started;
    await sleep(100);
  }
  return fail(
    `${ms} ms after the kill: ${groupAlive(pgid) ? `group ${pgid} still has\n${groupListing(pgid)}` : `port ${port} still in use`}`,
  );
}

function killHard(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

try {
  // 1. The supervisor dies without a chance to stop anything.
  const first = startSupervisor();
  await healthy(first.exited);
  const firstGroup = recordedGroup();
  killHard(first.child.pid);
  const took = await goneWithin(firstGroup, 8000);
  log(`SIGKILL of the supervisor: server group gone and port ${port} free after ${took} ms`);

  // 2. The next start works.
  const second = startSupervisor();
  await healthy(second.exited);
  log("a second start is healthy");

  // 3. Supervisor and watchdog both killed: the server itself is orphaned.
  const secondGroup = recordedGroup();
  killHard(second.child.pid);
  killHard(secondGroup); // the watchdog leads the group: its pid is the group id
  await second.exited;
  await sleep(1000);
  log(
    groupAlive(secondGroup)
      ? `supervisor and watchdog killed: the server is orphaned (group ${secondGroup} alive)`
      : "supervisor and watchdog killed: the server went by itself (nothing left to clear)",
  );
  const third = startSupervisor();
  await healthy(third.exited);
  if (groupAlive(secondGroup)) {
    fail(`the third start is up but group ${secondGroup} lives:\n${groupListing(secondGroup)}`);
  }
  log("the third start ended the orphaned server and is healthy");

  // 4. A clean stop still works and forgets the group.
  const thirdGroup = recordedGroup();
  process.kill(-(third.child.pid as number), "SIGINT");
  const code = await Promise.race([third.exited, sleep(20_000).then(() => "timeout")]);
  if (code === "timeout") fail("did not stop within 20 s of SIGINT");
  await goneWithin(thirdGroup, 3000);
  log("SIGINT stops it cleanly");
} finally {
  for (const child of supervisors) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const pgid of serverGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}
