// What a benchmark ran on, recorded next to its numbers: a figure without its machine and
// versions cannot be compared with anything.
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import pg from "pg";
import { ROOT } from "./stack";

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  versions: Record<string, string>;
}

export async function describeMachine(extra: Record<string, string> = {}): Promise<MachineInfo> {
  const pkg = (name: string) => {
    try {
      const file = join(ROOT, "node_modules", name, "package.json");
      return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
      return "?";
    }
  };
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? "?",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions: {
      wrangler: pkg("wrangler"),
      workerd: pkg("workerd"),
      "@upstash/redis": pkg("@upstash/redis"),
      autocannon: pkg("autocannon"),
      ...extra,
    },
  };
}

export async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>("show server_version");
    return rows[0]?.server_version ?? "?";
  } finally {
    await client.end();
  }
}

/** The machine and versions as one sentence for bench/RESULTS.md, the same in every section. */
export function machineSentence(m: MachineInfo): string {
  const versions = Object.entries(m.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}. Versions: ${versions}.`;
}

/** The median (the mean of the middle two for an even count); 0 for no values. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}
