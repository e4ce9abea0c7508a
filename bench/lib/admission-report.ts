// The admission section of bench/RESULTS.md, written from one run's raw results: every
// ratio in it is between figures measured in that same run.
import { relative } from "node:path";
import {
  find,
  fmt,
  loadAvg,
  pct,
  round,
  rps,
  type Summary,
  summarize,
  times,
} from "./admission-figures";
import type { AdmissionRaw } from "./admission-raw";
import { targets } from "./admission-targets";
import type { OurResult, PeerResult, Runtime } from "./admission-types";
import { machineSentence, median } from "./machine";
import { ROOT } from "./stack";

export function report(raw: AdmissionRaw, file: string): string {
  const st = raw.settings;
  const lines: string[] = [
    "## Admission: one hot trial, side by side",
    "",
    `Run ${raw.date} with \`${raw.command}\` (also part of \`npm run bench\`); the whole admission bench took ${round(raw.durationSeconds / 60, 1)} min. ${machineSentence(raw.machine)} Load average (1, 5, 15 min) before: ${loadAvg(raw.loadAverageBefore)}; after: ${loadAvg(raw.loadAverageAfter)} (anything well above 0 before means other processes shared the CPUs). Raw: \`${relative(ROOT, file)}\`.`,
    "",
    `Everything below was measured in this one run, one thing after another on this machine: autocannon (its own process), the servers, Postgres, Redis and its REST bridge share the two cores. Throughput is answers ÷ (last answer − first request). "Per call" is applications per gate call (the batch factor): the answers ÷ Σ 1/N over their \`Server-Timing: gate;…;desc="batch of N"\` headers; on Deno also the servers' own \`tryit_gate_calls_total\` (GET /metrics) in brackets. Deno is two server processes on one KV file (the contract suite's setup), the load split evenly between them; workerd is one \`wrangler dev\`. "Ceiling" is a hello-world on the same runtime through the same front (\`wrangler dev\` for workerd, one \`Deno.serve\` for Deno), same load generator and connections.`,
  ];

  const c = raw.ceilings;
  if (c.workerd || c.deno) {
    lines.push(
      "",
      `Ceilings at ${st.connections} connections: workerd (\`wrangler dev\` hello-world) ${fmt(c.workerd?.requestsPerSecond)} req/s (p99 ${fmt(c.workerd?.p99)} ms); Deno (\`Deno.serve\` hello-world) ${fmt(c.deno?.requestsPerSecond)} req/s (p99 ${fmt(c.deno?.p99)} ms).`,
    );
  }

  const flood = raw.ours.filter((r) => r.variant.section === "flood");
  if (flood.length > 0) {
    lines.push(
      "",
      `### The flood: ${st.connections} connections, gate next door (0 ms)`,
      "",
      `Each run: a fresh trial of ${st.slots} places filled by ${st.slots} distinct members at once (one application each), then ${st.postFillSeconds} s of applications by other members after it is full (409s). Group commit: medians of ${st.repeats} runs; one at a time (\`GATE_BATCHING=off\`) and the logging variants: one run. "Redis on" is the production shape (cache, and whatever the apply route asks Redis); "no Redis" has no Redis configured.`,
      "",
      "| target | fill req/s | p50 ms | p99 ms | time to fill s | per call | largest batch | post-fill req/s | post-fill p99 ms | fill ÷ ceiling | post-fill ÷ ceiling | drain apps/s | drain lag ms | invariants |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
      ...flood.map((r) => {
        const s = summarize(r.runs);
        const ceiling = c[r.variant.runtime]?.requestsPerSecond;
        const factor = `${fmt(s.batchFactor, 1)}${s.serverFactor !== null ? ` (${fmt(s.serverFactor, 1)})` : ""}`;
        return `| ${r.name} | ${fmt(s.rps)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.seconds, 2)} | ${factor} | ${fmt(s.largestBatch)} | ${fmt(s.postFillRps)} | ${fmt(s.postFillP99)} | ${pct(s.rps, ceiling)} | ${pct(s.postFillRps, ceiling)} | ${fmt(s.drainPerSecond)} | ${fmt(s.drainLagMs)} | ${s.ok ? "exact" : "**BROKEN**"} |`;
      }),
    );
  }

  for (const runtime of ["workerd", "deno"] as const) {
    const base = { section: "flood", runtime, redis: false, batching: true } as const;
    const off = find(raw, base);
    const all = find(raw, { ...base, logs: "all" });
    const platform = find(raw, { ...base, logs: "wrangler" });
    if (!off || !all) continue;
    const perRequest = (x: { result: OurResult } | null) => {
      const run = x?.result.runs[0];
      return run?.logLines && run.load.requests.total > 0
        ? run.logLines.fill / run.load.requests.total
        : null;
    };
    const row = (label: string, x: { s: Summary } | null, lines: number | null) =>
      x
        ? `| ${label} | ${fmt(x.s.rps)} | ${times((x.s.rps ?? 0) / (off.s.rps ?? Number.NaN))} | ${fmt(x.s.p50)} | ${fmt(x.s.p99)} | ${fmt(x.s.postFillRps)} | ${lines === null ? "–" : fmt(lines, 2)} |`
        : null;
    lines.push(
      "",
      `What logging costs on ${runtime}: the same flood (group commit, no Redis) with the servers' output read through a pipe as a terminal would, at the defaults \`${runtime === "workerd" ? "npm start" : "npm run start:deno"}\` runs with${runtime === "workerd" ? " (no `--log-level`: wrangler's default shows the Worker's `console.log` lines, and at that level miniflare logs every request itself, with an HTTP call from workerd back to wrangler's Node process per request, `/core/log`; the app's LOG_LEVEL default, info: one JSON line per request)" : " (LOG_LEVEL's default, info: one JSON line per request)"}. One run each.`,
      "",
      "| logging | fill req/s | ÷ quiet | p50 ms | p99 ms | post-fill req/s | lines per fill request |",
      "|---|---:|---:|---:|---:|---:|---:|",
      ...[
        row("quiet (the bench's setting above)", off, null),
        row(
          runtime === "workerd"
            ? "wrangler's default level, the app at LOG_LEVEL=warn (miniflare's request log alone)"
            : "",
          platform,
          perRequest(platform),
        ),
        row(
          "the defaults (the app's request log and, on workerd, miniflare's)",
          all,
          perRequest(all),
        ),
      ].filter((x): x is string => x !== null),
    );
  }

  const far = raw.ours.filter((r) => r.variant.section === "distance");
  if (far.length > 0) {
    lines.push(
      "",
      `### The gate far away: ${st.farConnections} connections, simulated distance`,
      "",
      `Group commit fills a fresh trial of ${st.slots} places with ${st.slots} members. The one-at-a-time path (\`GATE_BATCHING=off\`) cannot fill one in reasonable time at a distance, so it is time-boxed: ${st.timeboxSeconds} s of applications by distinct members into a trial of ${st.timeboxPlaces} places; its rate is the answers within the box ÷ the box, and its invariants are checked on what it admitted (k applications at the gate once it stopped: k rows, seqs 1..k, one per member, k WON, every 201 among them). "admitted" counts the decisions the gate made for that run, including those made for requests the load generator had already given up on. A run marked "stopped" had a backlog of cut-off requests still deciding: its servers were stopped, the KV outbox drained by the minute job (\`deno/run-job.ts minute\`) and one server started again to read the gate. On workerd the one-at-a-time path is not slowed by the distance the way Deno's is: each request sends its own RPC at once, the simulated round trips overlap (a timer each), and the Durable Object, next door, decides each call in well under a millisecond, so both paths end up bounded by the same CPU; on Deno each application of the one-at-a-time path is a read and a checked commit on one KV key, and concurrent ones conflict and retry, each retry paying the distance again.`,
      "",
      "| runtime | distance | group commit apps/s | p50 ms | p99 ms | per call | one at a time apps/s | p50 ms | p99 ms | timeouts | admitted | group ÷ one at a time | invariants |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    );
    for (const runtime of ["workerd", "deno"] as const) {
      for (const distanceMs of st.distancesMs) {
        const on = find(raw, { section: "distance", runtime, distanceMs, batching: true });
        const off = find(raw, { section: "distance", runtime, distanceMs, batching: false });
        if (!on && !off) continue;
        const factor = on
          ? `${fmt(on.s.batchFactor, 1)}${on.s.serverFactor !== null ? ` (${fmt(on.s.serverFactor, 1)})` : ""}`
          : "–";
        const ok = (on ? on.s.ok : true) && (off ? off.s.ok : true);
        lines.push(
          `| ${runtime} | ${distanceMs} ms | ${fmt(on?.s.rps)} | ${fmt(on?.s.p50)} | ${fmt(on?.s.p99)} | ${factor} | ${off ? fmt(off.s.rps, off.s.rps !== null && off.s.rps < 10 ? 1 : 0) : "–"} | ${fmt(off?.s.p50)} | ${fmt(off?.s.p99)} | ${fmt(off?.s.timeouts)} | ${off ? `${fmt(off.s.admitted)}${off.s.settle === "stopped" ? " (stopped)" : ""}` : "–"} | ${on && off ? times((on.s.rps ?? 0) / (off.s.rps ?? 0), 1) : "–"} | ${ok ? "exact" : "**BROKEN**"} |`,
        );
      }
    }
  }

  if (raw.peers.length > 0) {
    const peerRps = (name: string) => {
      const p = raw.peers.find((x) => x.name === `peer: ${name}`);
      return p ? median(p.runs.map((r) => rps(r.load))) : null;
    };
    lines.push(
      "",
      `### Peers at the flood's load (${st.connections} connections, ${st.slots} places)`,
      "",
      "| peer | fill req/s | p50 ms | p99 ms | post-fill req/s | invariants |",
      "|---|---:|---:|---:|---:|---|",
      ...raw.peers.map((p) => {
        const m = (f: (r: PeerResult["runs"][number]) => number) => median(p.runs.map(f));
        return `| ${p.name} | ${fmt(m((r) => rps(r.load)))} | ${fmt(m((r) => r.load.latency.p50))} | ${fmt(m((r) => r.load.latency.p99))} | ${fmt(m((r) => rps(r.postFill)))} | ${p.runs.every((r) => r.invariants.ok) ? "exact" : "**BROKEN**"} |`;
      }),
    );
    if (flood.length > 0) {
      lines.push(
        "",
        "| ours (flood) | ÷ pg-rowlock | ÷ redis-lua |",
        "|---|---:|---:|",
        ...flood.map((r) => {
          const s = summarize(r.runs);
          return `| ${r.name} | ${times((s.rps ?? 0) / (peerRps("pg-rowlock") ?? Number.NaN))} | ${times((s.rps ?? 0) / (peerRps("redis-lua") ?? Number.NaN))} |`;
        }),
      );
    }
  }

  if (raw.newcomer.length > 0) {
    lines.push(
      "",
      "### The main job as a newcomer runs it, measured from outside",
      "",
      `\`npm start\` and \`npm run start:deno\` with default settings (embedded PGlite, no Redis, logs at their default level going to a pipe), in a throwaway \`TRYIT_DATA_DIR\` prepared with the members and the dev secret; the same fill (${st.slots} members, ${st.connections} connections) and post-fill as above, from outside. Invariants checked in the app's own embedded database after Ctrl-C. "÷ bench" compares with the bench's own stack, same runtime, group commit, no Redis, in this run (\`wrangler dev\` with \`--log-level warn\`, \`LOG_LEVEL=warn\`, Postgres server; Deno there is two processes, here one).`,
      "",
      "| command | fill req/s | p50 ms | p99 ms | per call | post-fill req/s | log lines per request (fill) | fill ÷ bench | fill ÷ bench with logs at the defaults | fill ÷ ceiling | drain s | invariants |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
      ...raw.newcomer.map((n) => {
        const runtime: Runtime = n.script === "start" ? "workerd" : "deno";
        const bench = find(raw, { section: "flood", runtime, redis: false, batching: true });
        const logged = find(raw, {
          section: "flood",
          runtime,
          redis: false,
          batching: true,
          logs: "all",
        });
        const fill = rps(n.load);
        return `| \`npm ${n.script === "start" ? "start" : "run start:deno"}\` | ${fmt(fill)} | ${fmt(n.load.latency.p50)} | ${fmt(n.load.latency.p99)} | ${fmt(n.load.gateCalls.batchFactor, 1)} | ${fmt(rps(n.postFill))} | ${fmt(n.logLines.fill / Math.max(1, n.load.requests.total), 3)} | ${bench ? times(fill / (bench.s.rps ?? Number.NaN)) : "–"} | ${logged ? times(fill / (logged.s.rps ?? Number.NaN)) : "–"} | ${pct(fill, c[runtime]?.requestsPerSecond)} | ${n.drainMs === null ? "–" : fmt(n.drainMs / 1000, 1)} | ${n.invariants.ok ? "exact" : "**BROKEN**"} |`;
      }),
    );
  }

  lines.push(...targets(raw));

  if (raw.consumer.length > 0) {
    const first = raw.consumer[0];
    lines.push(
      "",
      `Consumer capacity (the decisions consumer, \`persistDecisions\`, on a backlog of ${first?.applications ?? 0} applications in batches of ${first?.batchSize ?? 100}, notification rows included, through the production driver and the local WebSocket proxy): ${raw.consumer.map((x) => `${x.perSecond} applications/s with ${x.concurrency} batch${x.concurrency > 1 ? "es" : ""} at a time`).join("; ")}.`,
    );
  }

  lines.push(
    "",
    `"Invariants" are checked after every run: the gate's applicants k once it stopped admitting, exactly min(k, places) WON at the gate and in Postgres, k rows in Postgres with seqs gapless 1..k and k distinct members, and every member answered 201 among them (a fill: k = the places, CLOSED/FULL); for the peers the same through their own tables and keys. "Drain" is the pipeline into Postgres during the flood (first to last \`persisted_at\`, bounded by the admission rate) and how long after the last answer the last row landed.`,
    "",
    "**How the distance is simulated.** `BENCH_GATE_DISTANCE_MS` (refused unless `BENCH_MODE=1`; `workers/config.ts`) adds a fixed round trip, half before and half after, to every call between an isolate and its gate, and only there: on workerd to every Durable Object RPC (`workers/lib/simulated-distance.ts`, wrapped around the stub in `workers/adapters/cloudflare/gates.ts`), on Deno to every KV `get`/`getMany`, each `list` and every atomic `commit` the gates make (`deno/distant-kv.ts`). It is a timer, not a network: it costs no CPU and no bandwidth, it has no jitter, no loss and no tail, and calls in flight overlap freely. The client→isolate hop, Postgres, Redis and the queues stay local. So a client sees at least the distance per application (one RPC on workerd; a read and a commit, two round trips, on Deno); that is expected.",
    "",
    '**What this machine cannot show.** Two cores run the load generator, the servers, Postgres, Redis and the bridges, so every figure is a floor set by CPU contention, and ratios between runs drift with what else ran (the load averages above). There is one isolate per process here: on Cloudflare a hot trial is reached from many isolates at once, each with its own group-commit lane (one call in flight per isolate and trial), and the Durable Object serializes them; on Deno Deploy likewise many isolates race on one KV key with optimistic commits. A real network adds jitter and loss that a timer does not, and real KV and Durable Object latencies are not a constant. The local Deno KV is a SQLite file shared by two processes ("database is locked" is retried), not FoundationDB; local `wrangler dev` runs the Durable Object in the same workerd as the Worker, with every request passing through wrangler\'s Node proxy first.',
  );
  return lines.join("\n");
}
