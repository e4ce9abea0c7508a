import { find, fmt, pct, rps, type Summary, times, yes } from "./admission-figures";
import type { AdmissionRaw } from "./admission-raw";
import { median } from "./machine";

/** The issue's targets, as ratios of this run's figures; recorded whether met or not. */
export function targets(raw: AdmissionRaw): string[] {
  const rows: string[] = [];
  const c = raw.ceilings;
  const peer = raw.peers.find((p) => p.name === "peer: redis-lua");
  const lua = peer ? median(peer.runs.map((r) => rps(r.load))) : null;
  for (const runtime of ["workerd", "deno"] as const) {
    const noRedis = find(raw, { section: "flood", runtime, redis: false, batching: true });
    const withRedis = find(raw, { section: "flood", runtime, redis: true, batching: true });
    const ceiling = c[runtime]?.requestsPerSecond ?? null;
    const both = (f: (s: Summary) => string) =>
      `${noRedis ? f(noRedis.s) : "–"}${withRedis ? ` (Redis on: ${f(withRedis.s)})` : ""}`;
    if (noRedis && lua && runtime === "deno") {
      const r = (noRedis.s.rps ?? 0) / lua;
      rows.push(
        `| Deno fill ≥ 1.0× the Redis Lua peer | ${both((s) => times((s.rps ?? 0) / lua))} | ${yes(r >= 1)} |`,
      );
    }
    if (noRedis && ceiling && runtime === "workerd") {
      const r = (noRedis.s.rps ?? 0) / ceiling;
      rows.push(
        `| workerd fill ≥ 80 % of its hello-world ceiling | ${both((s) => pct(s.rps, ceiling))} of ${fmt(ceiling)} req/s | ${yes(r >= 0.8)} |`,
      );
    }
    if (noRedis) {
      rows.push(
        `| ${runtime}: p99 ≤ 100 ms at 50 connections | ${both((s) => `${fmt(s.p99)} ms`)} | ${yes((noRedis.s.p99 ?? Infinity) <= 100)} |`,
        `| ${runtime}: ≥ 10 applications per gate call in the 50-connection flood | ${both((s) => fmt(s.batchFactor, 1))} | ${yes((noRedis.s.batchFactor ?? 0) >= 10)} |`,
      );
      if (ceiling) {
        rows.push(
          `| ${runtime}: post-fill refusals ≥ 80 % of the ceiling | ${both((s) => pct(s.postFillRps, ceiling))} | ${yes((noRedis.s.postFillRps ?? 0) / ceiling >= 0.8)} |`,
        );
      }
    }
    const farOn = find(raw, { section: "distance", runtime, distanceMs: 150, batching: true });
    const farOff = find(raw, { section: "distance", runtime, distanceMs: 150, batching: false });
    if (farOn) {
      rows.push(
        `| ${runtime}: ≥ 1,000 applications/s into one trial at 150 ms, ${raw.settings.farConnections} connections | ${fmt(farOn.s.rps)}/s | ${yes((farOn.s.rps ?? 0) >= 1000)} |`,
      );
    }
    if (farOn && farOff) {
      const r = (farOn.s.rps ?? 0) / (farOff.s.rps ?? 0);
      rows.push(
        `| ${runtime}: ≥ 100× the one-at-a-time path at 150 ms, same load | ${times(r, 1)} (${fmt(farOn.s.rps)} vs ${fmt(farOff.s.rps, 1)}/s) | ${yes(r >= 100)} |`,
      );
    }
    const newcomer = raw.newcomer.find(
      (n) => n.script === (runtime === "workerd" ? "start" : "start:deno"),
    );
    if (newcomer && noRedis) {
      const fill = rps(newcomer.load);
      const r = fill / (noRedis.s.rps ?? Number.NaN);
      rows.push(
        `| ${runtime}: the same holds for \`npm ${runtime === "workerd" ? "start" : "run start:deno"}\` from outside (fill ÷ the bench's own; p99; per call) | ${times(r)}; p99 ${fmt(newcomer.load.latency.p99)} ms; ${fmt(newcomer.load.gateCalls.batchFactor, 1)} per call${ceiling ? `; ${pct(fill, ceiling)} of the ceiling` : ""} | ${yes(r >= 0.8 && newcomer.load.latency.p99 <= 100)} (≥ 0.8× the bench and p99 ≤ 100 ms taken as "holds") |`,
      );
    }
  }
  if (rows.length === 0) return [];
  return [
    "",
    "### Against the issue-12 targets (ratios of this run's figures)",
    "",
    'Taken on group commit without Redis (the apply route\'s own cost); the production shape with Redis in brackets where it ran. "met" is computed from the figures above, nothing read by hand.',
    "",
    "| target | measured | |",
    "|---|---|---|",
    ...rows,
  ];
}
