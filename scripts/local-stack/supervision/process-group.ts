// Running a server (wrangler dev, deno) as a child that can be stopped without leaving anything
// behind. wrangler spawns workerd (via miniflare); if only wrangler is signalled, or wrangler
// dies first, workerd can survive and keep the port. So the server gets its own process group
// and the whole group is signalled, then waited for until it is empty. The group is led by a
// watchdog (group-watchdog.mjs) that ends it when we die without stopping it (SIGKILL, a crash).
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const WATCHDOG = fileURLToPath(new URL("./group-watchdog.mjs", import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  /** The process group: the watchdog leads it; the server and everything it starts are in it. */
  pgid: number | undefined;
  /** In the server's environment as TRYIT_GROUP_TAG: how a leftover group is recognised. */
  tag: string;
  /** Resolves with wrangler's exit code (null if killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when no process is left in it. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Read stdout and stderr line by line (a benchmark counting log lines) instead of showing them. */
  onLine?: (line: string) => void;
}

/**
 * A server (wrangler, deno) in its own process group, so stopping it leaves nothing behind,
 * and so does our own death: the group's leader is a watchdog that ends the group once the
 * pipe to its stdin, whose write end only this process holds, closes.
 */
export function spawnProcessGroup(bin: string, args: string[], opts: SpawnOptions): ServerProcess {
  const tag = randomUUID();
  const child = spawn(process.execPath, [WATCHDOG, tag, bin, ...args], {
    cwd: opts.cwd,
    env: opts.env,
    // detached: a new process group we can kill as a whole (workerd included). Not a new
    // terminal session, so Ctrl-C reaches us, not wrangler's raw-mode hotkeys.
    detached: true,
    stdio: ["pipe", opts.onLine ? "pipe" : "inherit", opts.onLine ? "pipe" : "inherit"],
  });
  if (opts.onLine) readLines([child.stdout, child.stderr], opts.onLine);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(1)); // e.g. binary missing: reported by the caller
  });
  // Once the group is gone the pipe has no reader: release it so it keeps nothing alive.
  void exited.then(() => child.stdin?.destroy());
  child.stdin?.on("error", () => {});
  const pgid = child.pid;

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5000) => {
    stopping ??= pgid === undefined ? Promise.resolve() : stopGroup(pgid, graceMs);
    return stopping;
  };
  return { child, pgid, tag, exited, stop };
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves when no process is left in it. */
export async function stopGroup(pgid: number, graceMs = 5000): Promise<void> {
  signalGroup(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (groupAlive(pgid)) signalGroup(pgid, "SIGKILL");
  while (groupAlive(pgid)) await sleep(50);
}

function readLines(streams: (NodeJS.ReadableStream | null)[], onLine: (line: string) => void) {
  for (const stream of streams) {
    let rest = "";
    stream?.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    });
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
