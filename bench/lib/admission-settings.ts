import type { Runtime } from "./admission-types";

/** The admission benchmark's settings (bench/admission.ts's header lists the variables). */

export const SLOTS = Number(process.env.BENCH_SLOTS ?? 10_000);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
export const FAR_CONNECTIONS = Number(process.env.BENCH_FAR_CONNECTIONS ?? 500);
export const DISTANCES = (process.env.BENCH_DISTANCES ?? "0,50,150").split(",").map(Number);
export const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);
export const POSTFILL_SECONDS = Number(process.env.BENCH_POSTFILL_SECONDS ?? 3);
export const TIMEBOX_SECONDS = Number(process.env.BENCH_TIMEBOX_SECONDS ?? 8);
export const SECTIONS = ["flood", "fill-log", "distance", "peers", "newcomer", "consumer"] as const;
export type Section = (typeof SECTIONS)[number];
export const ONLY = new Set(
  (process.env.BENCH_ONLY ?? SECTIONS.join(",")).split(",").map((s) => s.trim()),
);
/** Runtimes of ours to measure (both by default): "workerd", "deno". */
export const RUNTIMES = (process.env.BENCH_RUNTIMES ?? "workerd,deno")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is Runtime => s === "workerd" || s === "deno");
export const CEILING_SECONDS = 5;
/** Post-fill members: enough that the per-member rate limit (30 per 10 s) never trips. */
export const POSTFILL_MEMBERS = 5_000;
/** Members beyond the fill's for time-boxed runs, which may admit more than BENCH_SLOTS. */
export const EXTRA_MEMBERS = Number(process.env.BENCH_EXTRA_MEMBERS ?? 25_000);
/** A time-boxed run's trial: more places than it admits, so every admission is a WON. */
export const TIMEBOX_PLACES = 100_000;
/** `offBuild`: the build without the fill log, up beside ours (Deno: this port and the next). */
export const PORTS = { ours: 8921, hello: 8923, peer: 8924, offBuild: 8931 };
/**
 * Extra settings for every server of ours, to measure a product-side lever without editing
 * it, e.g. BENCH_SERVER_VARS="GATE_BATCH_MAX=512" (comma-separated KEY=VALUE).
 */
export const SERVER_VARS: Record<string, string> = Object.fromEntries(
  (process.env.BENCH_SERVER_VARS ?? "")
    .split(",")
    .map((kv) => kv.trim())
    .filter((kv) => kv.includes("="))
    .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);
export const COMMAND = "npm run bench:admission";
