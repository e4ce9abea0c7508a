import { execFileSync } from "node:child_process";
import { checkOurs, waitForDrain, waitForGateToSettle } from "./admission-checks";
import { rps } from "./admission-figures";
import { type AdmissionRun, admissionLoad, summary } from "./admission-run";
import { diffCounters, serverCounters, startOurs } from "./admission-servers";
import {
  CONNECTIONS,
  PORTS,
  POSTFILL_SECONDS,
  REPEATS,
  RUNTIMES,
  SLOTS,
} from "./admission-settings";
import type { OurRun, Runtime, Variant } from "./admission-types";
import { createTrial } from "./bench-api";
import { checkOutOffBuild } from "./fill-log-off-build";
import { median } from "./machine";
import { groupCpuSeconds } from "./process-cpu";
import { type BenchWorker, ROOT } from "./stack";

/**
 * What the public fill log and the receipts cost (issue 16: at most 10 % of admission
 * throughput): the flood (group commit, no Redis, BENCH_SLOTS places at BENCH_CONNECTIONS)
 * against this tree ("on") and against the same commit with the chain and the receipts taken
 * out ("off", fill-log-off-build.ts), both builds up at once on their own ports and measured
 * in turns, on, off, off, on, …, so that a drift in the machine's load hits both alike.
 */

/** At most this cost: "on" keeps at least 90 % of "off"'s applications per second. */
export const MAX_COST = 0.1;

export type Build = "on" | "off";

export interface FillLogRun extends Omit<OurRun, "logLines"> {
  build: Build;
  /** Applications per second of the fill (answers ÷ wall clock). */
  applicationsPerSecond: number;
  /**
   * CPU milliseconds the build's server processes spent per admitted application from the
   * fill's start until Postgres held every admission (process-cpu.ts): the work an admission
   * takes, its pipeline included, whatever else loads the machine.
   */
  cpuMsPerApplication: number;
  /** The same over the fill's wall clock only (how it was judged until 30 November). */
  fillWindowCpuMsPerApplication: number;
}

export interface FillLogRuntime {
  runtime: Runtime;
  runs: FillLogRun[];
  /** Medians of applications per second over each build's runs. */
  on: number;
  off: number;
  /** on ÷ off; the cost is 1 − ratio. */
  ratio: number;
  /** Medians of CPU ms per application over each build's runs. */
  cpuOn: number;
  cpuOff: number;
  /**
   * off ÷ on CPU per application: the throughput ratio of two CPU-bound servers given the
   * same CPUs, which is what the target is judged on (RESULTS.md says why).
   */
  cpuRatio: number;
  /** off ÷ on of the fill window's CPU alone (fillWindowCpuMsPerApplication), for comparison. */
  fillWindowCpuRatio: number;
  met: boolean;
}

export interface FillLogResult {
  builds: Record<Build, { commit: string; root: string }>;
  runtimes: FillLogRuntime[];
}

/** The group-commit flood variant, as the flood section runs it. */
const floodVariant = (runtime: Runtime): Variant => ({
  runtime,
  redis: false,
  batching: true,
  distanceMs: 0,
  connections: CONNECTIONS,
  mode: "fill",
  section: "flood",
});

export async function measureFillLogCost(ctx: AdmissionRun): Promise<FillLogResult> {
  const off = checkOutOffBuild();
  try {
    const runtimes: FillLogRuntime[] = [];
    for (const runtime of RUNTIMES) {
      const variant = floodVariant(runtime);
      const servers: Partial<Record<Build, BenchWorker>> = {};
      try {
        servers.on = await startOurs(ctx.stack, variant);
        servers.off = await startOurs(ctx.stack, variant, {
          port: PORTS.offBuild,
          root: off.root,
        });
        await expectBuild(servers.on, "on");
        await expectBuild(servers.off, "off");
        const runs: FillLogRun[] = [];
        for (let rep = 1; rep <= REPEATS; rep++) {
          // on, off | off, on | …: neither build always goes first.
          const order: Build[] = rep % 2 === 1 ? ["on", "off"] : ["off", "on"];
          for (const build of order) {
            const server = servers[build];
            if (!server) throw new Error(`no ${build} server`);
            console.log(`[bench] ${ctx.elapsed()}: fill log ${build}, ${runtime}, run ${rep}…`);
            runs.push({ build, ...(await floodOnce(ctx, server, rep)) });
          }
        }
        runtimes.push(figures(runtime, runs));
      } finally {
        await servers.on?.stop();
        await servers.off?.stop();
      }
    }
    return {
      builds: {
        on: { commit: gitRev("HEAD"), root: "." },
        off: { commit: off.commit, root: "a git worktree" },
      },
      runtimes,
    };
  } finally {
    off.remove();
  }
}

function figures(runtime: Runtime, runs: FillLogRun[]): FillLogRuntime {
  const of = (b: Build) =>
    median(runs.filter((r) => r.build === b).map((r) => r.applicationsPerSecond));
  const cpuOf = (b: Build) =>
    median(runs.filter((r) => r.build === b).map((r) => r.cpuMsPerApplication));
  const on = of("on");
  const off = of("off");
  const cpuOn = cpuOf("on");
  const cpuOff = cpuOf("off");
  const cpuRatio = cpuOff / cpuOn;
  const windowOf = (b: Build) =>
    median(runs.filter((r) => r.build === b).map((r) => r.fillWindowCpuMsPerApplication));
  return {
    runtime,
    runs,
    on,
    off,
    ratio: on / off,
    cpuOn,
    cpuOff,
    cpuRatio,
    fillWindowCpuRatio: windowOf("off") / windowOf("on"),
    met: cpuRatio >= 1 - MAX_COST,
  };
}

/** One fill of a fresh trial and its post-fill, then the flood section's invariants. */
async function floodOnce(
  ctx: AdmissionRun,
  server: BenchWorker,
  rep: number,
): Promise<Omit<FillLogRun, "build">> {
  const trialId = await createTrial(server.base, ctx.company, SLOTS);
  const urls = server.bases.map((b) => `${b}/v1/trials/${trialId}/applications`);
  const countersBefore = await serverCounters(server);
  const cpuBefore = groupCpuSeconds(server.pgids);
  const load = await admissionLoad(ctx.tmp, {
    urls,
    tokens: ctx.fill.tokens,
    connections: CONNECTIONS,
    amount: SLOTS,
  });
  const fillCpuSeconds = groupCpuSeconds(server.pgids) - cpuBefore;
  // Everything the fill's admissions cause, their outbox and persistence to Postgres
  // included, before the post-fill's requests add work of their own: the fill window alone
  // cuts the pipeline at a point that depends on the build's own speed (a faster gate leaves
  // more of its persistence for after the window, and looks cheaper for it).
  const filled = await waitForGateToSettle(server.base, trialId, { timeoutMs: 30_000 });
  await waitForDrain(ctx.pool, trialId, filled.gate.applicants);
  const drainedCpuSeconds = groupCpuSeconds(server.pgids) - cpuBefore;
  const postFill = await admissionLoad(ctx.tmp, {
    urls,
    tokens: ctx.postFillTokens,
    connections: CONNECTIONS,
    durationSeconds: POSTFILL_SECONDS,
  });
  const { gate, settled } = await waitForGateToSettle(server.base, trialId, { timeoutMs: 30_000 });
  const counters = diffCounters(countersBefore, await serverCounters(server));
  const drain = await waitForDrain(ctx.pool, trialId, gate.applicants);
  const invariants = await checkOurs(ctx.pool, trialId, {
    slots: SLOTS,
    fill: true,
    gate,
    persisted: drain.persisted,
    createdIds: load.created.map((i) => ctx.fill.ids[i] ?? ""),
    problems: settled && filled.settled ? [] : ["the gate was still admitting after the run"],
  });
  if (!invariants.ok) console.error(`[bench] fill log: ${invariants.problems.join("; ")}`);
  return {
    rep,
    trialId,
    load: summary(load),
    postFill: summary(postFill),
    settle: settled ? "settled" : "unsettled",
    drain,
    serverCounters: counters,
    invariants,
    applicationsPerSecond: rps(load),
    cpuMsPerApplication: (drainedCpuSeconds * 1000) / Math.max(1, load.created.length),
    fillWindowCpuMsPerApplication: (fillCpuSeconds * 1000) / Math.max(1, load.created.length),
  };
}

/** A guard against measuring the wrong checkout: the "off" build answers the JWKS with 404. */
async function expectBuild(server: BenchWorker, build: Build): Promise<void> {
  const status = (await fetch(`${server.base}/.well-known/jwks.json`)).status;
  if ((status === 200) !== (build === "on"))
    throw new Error(`the ${build} build answers GET /.well-known/jwks.json with ${status}`);
}

function gitRev(rev: string): string {
  return execFileSync("git", ["rev-parse", rev], { cwd: ROOT, encoding: "utf8" }).trim();
}
