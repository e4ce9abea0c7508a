import { type describeMachine, machineSentence, median } from "./machine";
import { ROOT } from "./stack";

/** One full rebuild as the statistics build benchmark measured it. */
export interface RunResult {
  run: number;
  trials: number;
  built: number;
  skipped: number;
  failed: number;
  batches: number;
  /** The job's own `ms` per full-rebuild batch that built trials (its cron.stats lines). */
  batchMs: number[];
  /** Σ batchMs: the rebuild's own time, ticks' other work excluded. */
  totalMs: number;
  msPerTrial: number;
  /** Each cron invocation's wall time from outside (reconciliation and incremental job included). */
  tickMs: number[];
  /** The incremental job's `ms` in the same ticks (nothing to find: the data is old). */
  incrementalMs: number[];
}

/** The "Statistics build" section of bench/RESULTS.md. */
export function report(
  raw: {
    date: string;
    command: string;
    trials: number;
    applicationsPerTrial: number;
    reviewsPerTrial: number;
    createMs: number;
    seedMs: number;
    batchSize: number;
    machine: Awaited<ReturnType<typeof describeMachine>>;
    loadBefore: number[];
    loadAfter: number[];
    durationSeconds: number;
    runs: RunResult[];
    stub: { batchMs: number[]; totalMs: number }[];
  },
  file: string,
): string {
  const m = raw.machine;
  const rows = raw.runs.map(
    (r) =>
      `| ${r.run === 1 ? "1 (every row written)" : `${r.run} (same numbers: nothing rewritten)`} | real: one Durable Object RPC per trial | ${r.trials} (${r.built} built, ${r.skipped} skipped, ${r.failed} failed) | ${r.batches} | ${(r.totalMs / 1000).toFixed(2)} s | ${r.msPerTrial} ms | ${median(r.batchMs)} ms | ${Math.max(...r.batchMs)} ms | ${median(r.tickMs)} ms |`,
  );
  const stubRows = raw.stub.map(
    (r, i) =>
      `| stub ${i === 0 ? "1 (every row rewritten: the stub's counters are not the gates')" : "2 (same numbers: nothing rewritten)"} | fixed snapshot, no gate call; the job code in Node | ${raw.trials} | ${r.batchMs.length} | ${(r.totalMs / 1000).toFixed(2)} s | ${Math.round((r.totalMs / raw.trials) * 100) / 100} ms | ${median(r.batchMs)} ms | ${Math.max(...r.batchMs)} ms | – |`,
  );
  const ratio = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b ? `${(a / b).toFixed(2)}×` : "–";
  const incremental = raw.runs.flatMap((r) => r.incrementalMs);
  return `## Statistics build (\`${raw.command}\`)

Run ${raw.date} with \`${raw.command}\` (${Math.round(raw.durationSeconds / 60)} min in all): a full rebuild of ${raw.trials} trials × ${raw.applicationsPerTrial} applications (${raw.trials * raw.applicationsPerTrial} rows, plus ${raw.reviewsPerTrial} reviews per trial), in batches of ${raw.batchSize} as in production, **with the real gate calls**. The trials were created through the API on \`wrangler dev\` (${(raw.createMs / 1000).toFixed(1)} s for ${raw.trials}), so each has its Durable Object gate configured; then backdated in SQL to a closed January trial and their rows generated server-side (${(raw.seedMs / 1000).toFixed(1)} s; neither counted). The real crons were fired as \`npm start\` fires them (\`/cdn-cgi/handler/scheduled\`): the daily cron starts the rebuild and builds its first batch, then one 5-minute tick per batch (each tick also runs the reconciliation and the incremental job). The figures are the job's own: the \`ms\` of its \`cron.stats\` log lines (Worker → Neon driver → local WebSocket proxy → Postgres; one \`snapshot()\` RPC per trial, concurrently for the batch), and each tick's wall time from outside. Raw: \`${file.slice(ROOT.length)}\`.

${machineSentence(m)}

Load average (1, 5, 15 min) before: ${raw.loadBefore.join(", ")}; after: ${raw.loadAfter.join(", ")}.

| run | gate counters | trials | batches | total (Σ batch ms) | per trial | median batch | slowest batch | median tick (from outside) |
|---|---|---:|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}
${stubRows.join("\n")}

The stub rows run the same job code in Node (not workerd), on the same database, after the real runs, with a fixed snapshot instead of the gate call: the SQL side of a build alone, as this bench measured it before. With real gate calls ÷ stub, run 1 (every row written): ${ratio(raw.runs[0]?.totalMs, raw.stub[0]?.totalMs)}; run 2 (nothing rewritten): ${ratio(raw.runs[1]?.totalMs, raw.stub[1]?.totalMs)}. In run 1 each gate is woken for the first time since its trial was created (a Durable Object loaded from its storage); in run 2 they were just used. No simulated distance here: a gate far away would add about one round trip per batch, as the ${raw.batchSize} RPCs of a batch go out together.

The incremental job in the same ticks (nothing to find: every trial closed in January, nothing changed since) took ${incremental.length ? `${median(incremental)} ms median (${Math.min(...incremental)}–${Math.max(...incremental)} ms over ${incremental.length} ticks)` : "–"}.

One batch is what one 5-minute tick does for a running rebuild: the slowest batch is the bound that matters for the Workers limits.
`;
}
