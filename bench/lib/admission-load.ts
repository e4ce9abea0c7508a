// The load generator for admission, run as its own process (see load.ts for why): every
// request carries the next member's token, so N requests are N distinct members applying.
// Connections are spread round-robin over the given URLs (two Deno servers on one KV file
// get half each). Each answer's `Server-Timing: gate;…;desc="batch of N"` is read as it
// arrives: N applications shared that answer's gate call (group commit), so the batch
// factor (applications per gate call) is answers ÷ Σ 1/N. Which members were answered 201
// is kept too, so the bench can check that every one of them reached Postgres.
// Usage: tsx bench/lib/admission-load.ts <spec.json>; prints one JSON result on stdout.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

export interface LoadSpec {
  urls: string[];
  tokens: string[];
  connections: number;
  /** Requests in all (one per member, cycling if larger than tokens), or a duration. */
  amount?: number;
  durationSeconds?: number;
  /** autocannon gives up on an answer after this long (its default is 10 s). */
  timeoutSeconds?: number;
}

/** What the answers' Server-Timing said about the gate calls behind them. */
export interface GateCalls {
  /** Answers that carried a batch size (every answer the gate gave: 201 and 200). */
  answers: number;
  /** Σ 1/N over those answers: the number of gate calls they came from. */
  calls: number;
  /** answers ÷ calls; null when no answer carried the header. */
  batchFactor: number | null;
  largestBatch: number;
  /** Batch sizes seen, as size → answers that came in a batch of that size. */
  sizes: Record<string, number>;
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as LoadSpec;
let next = 0;
let firstSentAt = 0;
let lastAnswerAt = 0;
const gate = { answers: 0, calls: 0, largestBatch: 0, sizes: new Map<number, number>() };
/** Indexes (into spec.tokens) of the members answered 201. */
const created: number[] = [];
const BATCH = /desc="batch of (\d+)"/;

/** The request's member, kept in autocannon's per-connection context until its answer. */
interface Context {
  member?: number;
}

function onAnswer(status: number, context: Context, headers: Record<string, unknown>): void {
  if (status === 201 && context.member !== undefined) created.push(context.member);
  let timing: unknown;
  for (const name in headers) {
    if (name.toLowerCase() === "server-timing") timing = headers[name];
  }
  const n = Number(BATCH.exec(String(timing ?? ""))?.[1]);
  if (!(n > 0)) return;
  gate.answers++;
  gate.calls += 1 / n;
  gate.largestBatch = Math.max(gate.largestBatch, n);
  gate.sizes.set(n, (gate.sizes.get(n) ?? 0) + 1);
}

const started = performance.now();
let resolveResult: (r: autocannon.Result) => void = () => {};
let rejectResult: (e: unknown) => void = () => {};
const finished = new Promise<autocannon.Result>((resolve, reject) => {
  resolveResult = resolve;
  rejectResult = reject;
});
const instance = autocannon(
  {
    url: spec.urls as unknown as string,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationSeconds ?? 10 }),
    timeout: spec.timeoutSeconds ?? 10,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
    requests: [
      {
        setupRequest: (req: autocannon.Request, context: object) => {
          if (firstSentAt === 0) firstSentAt = performance.now();
          const member = next++ % spec.tokens.length;
          (context as Context).member = member;
          const token = spec.tokens[member];
          return { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } };
        },
        onResponse: (status: number, _body: string, context: object, headers?: object) =>
          onAnswer(status, context as Context, (headers ?? {}) as Record<string, unknown>),
      },
    ],
  },
  (err, result) => (err ? rejectResult(err) : resolveResult(result)),
);
instance.on("response", () => {
  lastAnswerAt = performance.now();
});
const result = await finished;
// From the first request to the last answer: autocannon's own start and finish are rounded
// to its one-second ticks, which would hide a fill that takes 2.3 s.
const wallMs =
  firstSentAt > 0 && lastAnswerAt > firstSentAt
    ? lastAnswerAt - firstSentAt
    : performance.now() - started;
const statusCodes = Object.fromEntries(
  Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [
    code,
    Number((s as { count: number }).count),
  ]),
);
const gateCalls: GateCalls = {
  answers: gate.answers,
  calls: Math.round(gate.calls * 1000) / 1000,
  batchFactor: gate.calls > 0 ? Math.round((gate.answers / gate.calls) * 100) / 100 : null,
  largestBatch: gate.largestBatch,
  sizes: Object.fromEntries([...gate.sizes].sort((a, b) => a[0] - b[0])),
};
console.log(
  JSON.stringify({
    wallMs,
    /** Requests built (one member each), answered or not: members the server may admit. */
    sent: next,
    requests: result.requests,
    latency: result.latency,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    gateCalls,
    created,
  }),
);
