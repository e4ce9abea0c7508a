import {
  checkOurs,
  type GateView,
  readGate,
  waitForDrain,
  waitForGateToSettle,
} from "./admission-checks";
import { type AdmissionRun, admissionLoad, summary } from "./admission-run";
import {
  diffCounters,
  type Output,
  serverCounters,
  startOurs,
  variantName,
} from "./admission-servers";
import {
  CONNECTIONS,
  DISTANCES,
  FAR_CONNECTIONS,
  POSTFILL_SECONDS,
  REPEATS,
  RUNTIMES,
  type Section,
  SLOTS,
  TIMEBOX_PLACES,
  TIMEBOX_SECONDS,
} from "./admission-settings";
import type { OurResult, OurRun, Variant } from "./admission-types";
import { createTrial } from "./bench-api";
import { runDenoJob } from "./stack";

/**
 * Our servers under the admission load: the flood (group commit with and without Redis,
 * with logs, one at a time) and the distance runs, each variant checked by the invariants
 * after every run.
 */

/** The variants the sections asked for measure, in order. */
export function ourVariants(hasRedis: boolean, run: (section: Section) => boolean): Variant[] {
  const variants: Variant[] = [];
  for (const runtime of RUNTIMES) {
    if (run("flood")) {
      const flood = { runtime, distanceMs: 0, connections: CONNECTIONS, mode: "fill" } as const;
      if (hasRedis) variants.push({ ...flood, redis: true, batching: true, section: "flood" });
      variants.push({ ...flood, redis: false, batching: true, section: "flood" });
      variants.push({ ...flood, redis: false, batching: true, logs: "all", section: "flood" });
      if (runtime === "workerd")
        variants.push({
          ...flood,
          redis: false,
          batching: true,
          logs: "wrangler",
          section: "flood",
        });
      variants.push({ ...flood, redis: false, batching: false, section: "flood" });
    }
    if (run("distance")) {
      for (const distanceMs of DISTANCES) {
        const far = { runtime, redis: false, distanceMs, connections: FAR_CONNECTIONS } as const;
        variants.push({ ...far, batching: true, mode: "fill", section: "distance" });
        // At 0 ms the flood already has the one-at-a-time path's figures.
        if (distanceMs > 0)
          variants.push({ ...far, batching: false, mode: "timebox", section: "distance" });
      }
    }
  }
  return variants;
}

/** One variant: its own server, `repeats` fresh trials, each filled (or time-boxed) and checked. */
export async function measureVariant(ctx: AdmissionRun, variant: Variant): Promise<OurResult> {
  const { stack, pool, tmp, company, fill, postFillTokens, anyone, elapsed } = ctx;
  const name = variantName(variant);
  const repeats = variant.section === "flood" && variant.batching && !variant.logs ? REPEATS : 1;
  const output: Output = { lines: 0, sample: [] };
  let server = await startOurs(stack, variant, {}, output);
  try {
    const runs: OurRun[] = [];
    for (let rep = 1; rep <= repeats; rep++) {
      console.log(`[bench] ${elapsed()}: ${name}, run ${rep}…`);
      const slots = variant.mode === "fill" ? SLOTS : TIMEBOX_PLACES;
      const trialId = await createTrial(server.base, company, slots);
      const urls = server.bases.map((b) => `${b}/v1/trials/${trialId}/applications`);
      const countersBefore = await serverCounters(server);
      const linesBefore = output.lines;
      const timeboxed = variant.mode === "timebox";
      const pool_ = timeboxed ? anyone : fill;
      const load = await admissionLoad(tmp, {
        urls,
        tokens: pool_.tokens,
        connections: variant.connections,
        ...(timeboxed
          ? { durationSeconds: TIMEBOX_SECONDS, timeoutSeconds: 60 }
          : { amount: SLOTS }),
      });
      const fillLines = output.lines - linesBefore;
      const postFill =
        variant.section === "flood"
          ? await admissionLoad(tmp, {
              urls,
              tokens: postFillTokens,
              connections: variant.connections,
              durationSeconds: POSTFILL_SECONDS,
            })
          : null;
      // Requests cut off when a time box ends may still be deciding: wait until the gate
      // stops admitting. The one-at-a-time path on Deno at a distance would take minutes
      // to decide its backlog: its servers are stopped instead (what was committed stays
      // committed), the KV outbox drained by the minute job, and one server started again
      // to read the gate.
      let { gate, settled } = await waitForGateToSettle(server.base, trialId, {
        timeoutMs: timeboxed ? 15_000 : 30_000,
      });
      const counters = diffCounters(countersBefore, await serverCounters(server));
      let settle: OurRun["settle"] = settled ? "settled" : "unsettled";
      if (!settled && server.deno) {
        const { dir } = server.deno;
        await server.stop();
        await runDenoJob(server.deno, "minute");
        server = await startOurs(stack, variant, { processes: 1, dir });
        gate = (await readGate(server.base, trialId)) as GateView;
        settle = "stopped";
      }
      const drain = await waitForDrain(pool, trialId, gate.applicants);
      const invariants = await checkOurs(pool, trialId, {
        slots,
        fill: !timeboxed,
        gate,
        persisted: drain.persisted,
        createdIds: load.created.map((i) => pool_.ids[i] ?? ""),
        problems: settle === "unsettled" ? ["the gate was still admitting after the run"] : [],
      });
      if (!invariants.ok) console.error(`[bench] ${name}: ${invariants.problems.join("; ")}`);
      runs.push({
        rep,
        trialId,
        load: summary(load),
        postFill: postFill && summary(postFill),
        settle,
        drain,
        serverCounters: counters,
        logLines: variant.logs
          ? {
              fill: fillLines,
              postFill: output.lines - fillLines - linesBefore,
              sample: output.sample,
            }
          : null,
        invariants,
      });
      if (settle === "stopped") break;
    }
    return { name, variant, runs };
  } finally {
    await server.stop();
  }
}
