// What a local stack (`npm start`, `npm run start:deno`) left running when it died without
// stopping it. The watchdog that leads the server's process group (group-watchdog.mjs) ends
// the group when its supervisor dies; this is the second line, for when the watchdog went
// too (both SIGKILLed, say): the group is recorded in the data folder, and the next start
// ends it before it looks for a free port, if it is still alive and truly ours.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { groupAlive, type ServerProcess, stopGroup } from "./process-group";

interface Recorded {
  /** The start that spawned the group: while it lives, the group is not a leftover. */
  supervisor: number;
  pgid: number;
  tag: string;
}

/** Notes the server's group in `file`, for the next start to find if this one dies. */
export function recordGroup(file: string, server: ServerProcess): void {
  if (server.pgid === undefined) return;
  mkdirSync(dirname(file), { recursive: true });
  const recorded: Recorded = { supervisor: process.pid, pgid: server.pgid, tag: server.tag };
  writeFileSync(file, `${JSON.stringify(recorded)}\n`);
}

/** After a clean stop: nothing is left to clear. */
export function forgetGroup(file: string): void {
  rmSync(file, { force: true });
}

/**
 * Ends the group recorded in `file` if the start that spawned it is gone and a process of
 * the group is still alive and carries our tag (a recycled process group id belongs to
 * someone else and is left alone), then forgets it. A start that is still running keeps its
 * group: the port check then says that it runs.
 */
export async function clearLeftovers(file: string, log: (message: string) => void) {
  const recorded = readRecorded(file);
  if (!recorded || processAlive(recorded.supervisor)) return;
  const members = groupMembers(recorded.pgid);
  if (members.length > 0 && members.some((pid) => carriesTag(pid, recorded.tag))) {
    log(`ending processes left by an earlier start (process group ${recorded.pgid})`);
    await stopGroup(recorded.pgid, 3000);
  }
  forgetGroup(file);
}

function readRecorded(file: string): Recorded | null {
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as Partial<Recorded>;
    const { supervisor, pgid, tag } = value;
    if (isPid(supervisor) && isPid(pgid) && typeof tag === "string") {
      return { supervisor, pgid, tag };
    }
  } catch {
    // missing or unreadable: nothing recorded
  }
  return null;
}

const isPid = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 1;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return false; // our own record, from a run that reused our pid
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Every live process in the group (ps works the same on Linux and macOS). */
function groupMembers(pgid: number): number[] {
  if (!groupAlive(pgid)) return [];
  const out = execFileSync("ps", ["-A", "-o", "pid=,pgid="], { encoding: "utf8" });
  return out
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, group]) => group === pgid && Number.isInteger(pid))
    .map(([pid]) => pid as number);
}

/**
 * The watchdog has the tag on its command line, the server and its children in their
 * environment (TRYIT_GROUP_TAG); the environment is read from /proc where there is one.
 */
function carriesTag(pid: number, tag: string): boolean {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    if (environ.split("\0").includes(`TRYIT_GROUP_TAG=${tag}`)) return true;
  } catch {
    // no /proc (macOS), or not ours to read
  }
  try {
    const args = execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" });
    return args.includes(tag);
  } catch {
    return false;
  }
}
