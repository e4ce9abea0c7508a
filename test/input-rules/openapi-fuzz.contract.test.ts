import fc from "fast-check";
import { beforeAll, describe, it, onTestFinished } from "vitest";
import { api, baseUrls, target } from "../support/contract/client";
import { type Answer, answerProblems } from "../support/contract/fuzz/answer-checks";
import { createWorld, type FuzzWorld } from "../support/contract/fuzz/fuzz-world";
import {
  type OpenApiDocument,
  type Operation,
  operationsOf,
  resolverOf,
} from "../support/contract/fuzz/openapi-operations";
import {
  describeRequest,
  type FuzzRequest,
  requestArbitrary,
} from "../support/contract/fuzz/request-arbitraries";
import { type RoundTripContext, roundTripProblems } from "../support/contract/fuzz/round-trip";
import { changes, fingerprint, settle } from "../support/contract/fuzz/state-fingerprint";

/**
 * Issue 13, "Must show": a property-based fuzzer driven by the server's own /openapi.json.
 * For every operation it sends generated requests (valid ones from the schemas, then
 * mutated: wrong types, odd text and numbers and timestamps, arrays for objects, duplicate
 * keys, bad media types, real, other-case, random and garbled ids; no token, bad tokens and
 * valid tokens of each role) and asserts:
 *   1. never a 5xx (only a 503 the operation declares, with Retry-After);
 *   2. every error in API.md's shape, with a status and code the document declares;
 *   3. a refused request (4xx) changes no state (Postgres rows of the world, the gate);
 *   4. every text an accepted create or update took reads back unchanged (answer, API,
 *      Postgres).
 * FUZZ_SEED (default fixed) makes a run reproducible; FUZZ_RUNS (default 2000) is the number
 * of requests over all operations; FUZZ_PATH replays a counterexample fast-check printed
 * (narrow to its operation with `-t`).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const REPLAY_PATH = process.env.FUZZ_PATH;

const doc = (await api("GET", "/openapi.json")).body as OpenApiDocument;
const operations = operationsOf(doc);
const resolve = resolverOf(doc);
const knownCodes = new Set(
  (resolve({ $ref: "#/components/schemas/ErrorBody" }).properties?.error?.properties?.code?.enum ??
    []) as string[],
);

/** A share of FUZZ_RUNS by how much input an operation takes; at least 5 each. */
function runsFor(op: Operation): number {
  const weight = (o: Operation) => 1 + o.parameters.length + (o.body ? 3 : 0) + (o.secured ? 1 : 0);
  const total = operations.reduce((sum, o) => sum + weight(o), 0);
  return Math.max(5, Math.round((RUNS * weight(op)) / total));
}

/** `server`: which of the target's processes (Deno runs two); any index wraps around. */
async function send(req: FuzzRequest, server = 0): Promise<Answer> {
  const url = `${baseUrls[server % baseUrls.length]}${req.path}${req.query ? `?${req.query}` : ""}`;
  const bytes = req.body?.bytes;
  const res = await fetch(url, {
    method: req.method,
    headers: req.headers,
    // Bytes, never a string: fetch would add a text/plain type the case did not ask for.
    body: typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes,
    redirect: "manual",
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the checks say so where it matters
  }
  return { status: res.status, headers: res.headers, text, body };
}

const roundTrip: RoundTripContext = { operations, resolve, send };

/** Answers seen per operation, printed after it: a fuzz that only ever got 400 did no work. */
const seen = new Map<string, Map<number, number>>();

async function problemsOf(op: Operation, req: FuzzRequest, world: FuzzWorld): Promise<string[]> {
  const unsafe = op.method !== "GET";
  const before = unsafe ? await fingerprint(world, req.path) : null;
  const res = await send(req);
  const counts = seen.get(op.id) ?? new Map<number, number>();
  seen.set(op.id, counts.set(res.status, (counts.get(res.status) ?? 0) + 1));
  const problems = answerProblems(op, req, res, knownCodes);
  if (before && res.status >= 400 && res.status < 500) {
    problems.push(...changes(before, await fingerprint(world, req.path)));
  }
  if (unsafe && res.status < 300) {
    const id = (res.body as { id?: unknown } | null)?.id;
    if (typeof id === "string") world.scope.add(id);
    problems.push(...(await roundTripProblems(op, req, res, roundTrip)));
    await settle(world, req.path);
  }
  return problems;
}

console.log(
  `[fuzz] ${target}: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} over ${operations.length} operations`,
);

describe("the OpenAPI document's operations, fuzzed", () => {
  // One world per operation, so each fuzz (and each replay) starts from the same state;
  // made a few at a time up front, since each waits for its first application to persist.
  const worlds = new Map<string, Promise<FuzzWorld>>();
  beforeAll(async () => {
    for (let i = 0; i < operations.length; i += 8) {
      const batch = operations.slice(i, i + 8).map((op) => {
        const world = createWorld();
        worlds.set(op.id, world);
        return world;
      });
      await Promise.all(batch);
    }
  });

  for (const op of operations) {
    it(`${op.method} ${op.path} (${op.id})`, async () => {
      onTestFinished(() => {
        const counts = [...(seen.get(op.id) ?? [])].sort(([a], [b]) => a - b);
        console.log(`[fuzz] ${op.id}: ${counts.map(([s, n]) => `${s}×${n}`).join(" ")}`);
      });
      const world = await worlds.get(op.id)!;
      const arbitrary = requestArbitrary(op, world, { ...world, resolve });
      await fc.assert(
        fc.asyncProperty(arbitrary, async (req) => {
          const problems = await problemsOf(op, req, world);
          if (problems.length > 0) {
            throw new Error(`${problems.join("\n")}\n  request: ${describeRequest(req)}`);
          }
        }),
        {
          seed: SEED,
          numRuns: runsFor(op),
          ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}),
        },
      );
    }, 300_000);
  }
});
