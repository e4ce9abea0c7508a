// The live bench's figures: percentiles, and the memory of a server's processes.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface Spread {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `values` (ms); null when there are none. */
export function spread(values: number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  return { count: sorted.length, p50: rank(50), p99: rank(99), max: sorted.at(-1) as number };
}

export interface ServerMemory {
  /** Resident memory of every process in the server's process group, MiB. */
  totalMiB: number;
  /** By command name (workerd, node for wrangler, deno), MiB. */
  byCommand: Record<string, number>;
  /** File descriptors the group holds (sockets included): what a process's limit caps. */
  openFiles: number;
  /** The process group measured: measure it again even once the port is closed. */
  group: number;
}

/**
 * The resident memory of the server listening on `port`: every process in its process group
 * (the bench starts each server as a group: a watchdog, wrangler's Node and workerd, or Deno),
 * read from /proc. Linux only; null elsewhere or when nothing listens.
 */
export function serverMemory(port: number, knownGroup?: number): ServerMemory | null {
  const pid = listenerOf(port);
  const group = pid ? statOf(pid)?.pgrp : knownGroup;
  if (group === undefined) return null;
  const byCommand: Record<string, number> = {};
  let total = 0;
  let openFiles = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(entry);
    if (!stat || stat.pgrp !== group) continue;
    try {
      openFiles += readdirSync(`/proc/${entry}/fd`).length;
    } catch {
      // gone meanwhile
    }
    const kib = rssKiB(entry);
    total += kib;
    byCommand[stat.comm] = (byCommand[stat.comm] ?? 0) + kib;
  }
  const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
  return {
    totalMiB: mib(total),
    byCommand: Object.fromEntries(Object.entries(byCommand).map(([k, v]) => [k, mib(v)])),
    openFiles,
    group,
  };
}

/** The process listening on 127.0.0.1:`port` (or any address), found through /proc. */
function listenerOf(port: number): string | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st … inode: state 0A is LISTEN.
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(`:${hexPort}`) && f[3] === "0A" && f[9]) inodes.add(`socket:[${f[9]}]`);
    }
  }
  if (inodes.size === 0) return null;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

function statOf(pid: string): { comm: string; pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
    const close = stat.lastIndexOf(")");
    const rest = stat.slice(close + 2).split(" ");
    return { comm: stat.slice(stat.indexOf("(") + 1, close), pgrp: Number(rest[2]) };
  } catch {
    return null;
  }
}

function rssKiB(pid: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}
