import { PORTS, SERVER_VARS } from "./admission-settings";
import type { Variant } from "./admission-types";
import type { BenchStack, BenchWorker } from "./stack";

/** Our servers as the admission benchmark starts them, one variant at a time, and their counters. */

const METRICS_TOKEN = `bench-metrics-${crypto.randomUUID()}`;

/** What the servers wrote (logs-on variants): lines counted, a few kept as a sample. */
export interface Output {
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

/**
 * `where` picks another port (the first of Deno's) or another checkout of the app (`root`,
 * e.g. an older build in a git worktree); Deno's `processes` and `dir` as startDeno's.
 */
export function startOurs(
  stack: BenchStack,
  v: Variant,
  where: { processes?: number; dir?: string; port?: number; root?: string } = {},
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
  const port = where.port ?? PORTS.ours;
  const root = where.root ? { root: where.root } : {};
  if (v.runtime === "workerd")
    return stack.startWorker({ port, cache: v.redis, vars, ...logs, ...root });
  vars.METRICS_TOKEN = METRICS_TOKEN;
  return stack.startDeno({
    port,
    cache: v.redis,
    vars,
    processes: where.processes ?? 2,
    ...(where.dir ? { dir: where.dir } : {}),
    ...logs,
    ...root,
  });
}

/** Deno's own counters (GET /metrics), summed over its processes; null on workerd. */
export async function serverCounters(
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

export function diffCounters(
  before: { applications: number; gateCalls: number } | null,
  after: { applications: number; gateCalls: number } | null,
) {
  if (!before || !after) return null;
  return {
    applications: after.applications - before.applications,
    gateCalls: Math.round((after.gateCalls - before.gateCalls) * 1000) / 1000,
  };
}
