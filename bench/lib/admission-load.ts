// The load generator for admission, run as its own process (see load.ts for why): every
// request carries the next member's token, so N requests are N distinct members applying.
// Usage: tsx bench/lib/admission-load.ts <spec.json>; prints one JSON result on stdout.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

interface Spec {
  url: string;
  tokens: string[];
  connections: number;
  /** Requests in all (one per member, cycling if larger than tokens), or a duration. */
  amount?: number;
  durationSeconds?: number;
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as Spec;
let next = 0;
let firstSentAt = 0;
let lastAnswerAt = 0;
const started = performance.now();
let resolveResult: (r: autocannon.Result) => void = () => {};
let rejectResult: (e: unknown) => void = () => {};
const finished = new Promise<autocannon.Result>((resolve, reject) => {
  resolveResult = resolve;
  rejectResult = reject;
});
const instance = autocannon(
  {
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationSeconds ?? 10 }),
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
    requests: [
      {
        setupRequest: (req: autocannon.Request) => {
          if (firstSentAt === 0) firstSentAt = performance.now();
          const token = spec.tokens[next++ % spec.tokens.length];
          return { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } };
        },
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
console.log(
  JSON.stringify({
    wallMs,
    requests: result.requests,
    latency: result.latency,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
  }),
);
