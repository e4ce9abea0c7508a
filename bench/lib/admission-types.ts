// The shapes of one admission run's results, shared by the bench that measures them
// (bench/admission.ts), the report that writes them up and the newcomer's measurement: a
// module of its own so none of those imports another back.
import type { Invariants } from "./admission-checks";
import type { GateCalls } from "./admission-load";

export interface LoadSummary {
  wallMs: number;
  sent: number;
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  gateCalls: GateCalls;
}

export type Runtime = "workerd" | "deno";

export interface Variant {
  runtime: Runtime;
  redis: boolean;
  batching: boolean;
  distanceMs: number;
  connections: number;
  /**
   * Logging at the defaults `npm start` runs with, the servers' output read through a pipe
   * as a terminal would: "all" is the app's line per request (LOG_LEVEL's default, info) and,
   * on workerd, wrangler's default level, where miniflare logs every request too; "wrangler"
   * (workerd) is wrangler's default level with the app at LOG_LEVEL=warn: miniflare's
   * request log alone. Unset: both quiet (`--log-level warn`, LOG_LEVEL=warn).
   */
  logs?: "all" | "wrangler";
  /** Fill a trial of BENCH_SLOTS places, or apply for a fixed time into a larger one. */
  mode: "fill" | "timebox";
  section: "flood" | "distance";
}

export interface OurRun {
  rep: number;
  trialId: string;
  load: LoadSummary;
  postFill: LoadSummary | null;
  /** Whether the gate stopped admitting on its own, or the servers were stopped to end it. */
  settle: "settled" | "stopped" | "unsettled";
  drain: { ms: number | null; perSecond: number | null; lagMs: number | null };
  /** Deno: the servers' own counters over the run (GET /metrics), a cross-check. */
  serverCounters: { applications: number; gateCalls: number } | null;
  /** Logs on: lines the servers wrote during the fill and the post-fill (up to the settle). */
  logLines?: { fill: number; postFill: number; sample: string[] } | null;
  invariants: Invariants;
}

export interface OurResult {
  name: string;
  variant: Variant;
  runs: OurRun[];
}

export interface PeerResult {
  name: string;
  runs: { rep: number; load: LoadSummary; postFill: LoadSummary; invariants: Invariants }[];
}

export type Ceiling = { requestsPerSecond: number; p50: number; p99: number };
