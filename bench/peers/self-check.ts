// Re-runnable proof that the benchmark's peers admit correctly under concurrency before their
// numbers are compared with ours: a burst of distinct members plus repeats of one member at
// a trial with fewer places, then the peer's own tables/keys read back. Also checks that the
// hello-world ceilings answer. Needs Postgres at 127.0.0.1:5432 (a scratch database is created
// and dropped) and Redis (a database of its own is claimed and flushed when done).
// Run: npx tsx bench/peers/self-check.ts
import { randomBytes, randomUUID } from "node:crypto";
import { resolveTestDatabase } from "../../scripts/local-stack/postgres/choose-database";
import {
  claimTestRedis,
  type TestRedis,
} from "../../scripts/local-stack/upstash-bridge/test-redis";
import { signAccessToken } from "../../workers/auth/tokens";
import { type PeerKind, startPeer } from "../lib/peers";

const SLOTS = 100;
const MEMBERS = 300;
const REPEATS = 20; // extra requests of the first member, fired among the others
const JWT_SECRET = randomBytes(32).toString("base64url");
const secret = new TextEncoder().encode(JWT_SECRET);
const PORTS: Record<PeerKind, number> = {
  "pg-rowlock": 8981,
  "redis-lua": 8982,
  "hello-workers": 8983,
  "hello-deno": 8984,
};

interface Answer {
  userId: string;
  status: number;
  body: { seq?: number; id?: string; userId?: string; error?: { code?: string } };
}

async function checkAdmission(base: string): Promise<string[]> {
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };

  const trialId = await createTrial(base, SLOTS);
  const members = await Promise.all(
    Array.from({ length: MEMBERS }, async () => {
      const userId = randomUUID();
      return { userId, token: await signAccessToken({ userId, role: "MEMBER" }, secret, 900) };
    }),
  );
  const repeater = members[0];
  if (!repeater) throw new Error("no members");
  const burst = shuffle([...members, ...Array.from({ length: REPEATS }, () => repeater)]);

  const answers: Answer[] = await Promise.all(
    burst.map(async ({ userId, token }) => {
      const res = await apply(base, trialId, token);
      return { userId, status: res.status, body: (await res.json()) as Answer["body"] };
    }),
  );

  const byStatus = (s: number) => answers.filter((a) => a.status === s);
  const [won, repeats, closed] = [byStatus(201), byStatus(200), byStatus(409)];
  const others = answers.filter((a) => ![200, 201, 409].includes(a.status));
  expect(others.length === 0, `unexpected statuses: ${others.map((a) => a.status).join(",")}`);
  expect(won.length === SLOTS, `${won.length} × 201, expected ${SLOTS}`);
  const seqs = new Set(won.map((a) => a.body.seq));
  expect(
    seqs.size === SLOTS && Array.from({ length: SLOTS }, (_, i) => i + 1).every((s) => seqs.has(s)),
    "the 201s' seqs are not exactly 1..slots",
  );
  expect(new Set(won.map((a) => a.userId)).size === won.length, "a member won twice");
  expect(
    won.every((a) => a.body.userId === a.userId),
    "a 201 names another member than the caller",
  );
  expect(
    closed.every((a) => a.body.error?.code === "TRIAL_CLOSED"),
    "a 409 is not TRIAL_CLOSED",
  );
  // A 200 is only ever the repeating member's own first application, unchanged.
  const repeaterWon = won.find((a) => a.userId === repeater.userId);
  expect(
    repeats.every(
      (a) =>
        a.userId === repeater.userId &&
        repeaterWon !== undefined &&
        a.body.id === repeaterWon.body.id &&
        a.body.seq === repeaterWon.body.seq,
    ),
    "a 200 that is not the repeating member's own application",
  );

  const state = (await fetch(`${base}/peer/trials/${trialId}`).then((r) => r.json())) as Record<
    string,
    number
  >;
  for (const field of [
    "slots",
    "taken",
    "applications",
    "distinctUsers",
    "distinctSeqs",
    "maxSeq",
  ]) {
    expect(state[field] === SLOTS, `GET ${field} = ${state[field]}, expected ${SLOTS}`);
  }
  if ("streamLength" in state) {
    expect(state.streamLength === SLOTS, `GET streamLength = ${state.streamLength}`);
  }

  // The edges the benchmark would otherwise misread as admissions or closures.
  const company = await signAccessToken({ userId: randomUUID(), role: "COMPANY" }, secret, 900);
  const edge = async (status: number, res: Promise<Response>, what: string) => {
    const got = (await res).status;
    expect(got === status, `${what}: ${got}, expected ${status}`);
  };
  await edge(401, apply(base, trialId, null), "no token");
  await edge(401, apply(base, trialId, `${repeater.token}x`), "tampered token");
  await edge(403, apply(base, trialId, company), "COMPANY token");
  await edge(400, apply(base, "not-a-uuid", repeater.token), "malformed trial id");
  await edge(404, apply(base, randomUUID(), repeater.token), "unknown trial");
  await edge(repeaterWon ? 200 : 409, apply(base, trialId, repeater.token), "a later repeat");

  console.log(
    `  burst of ${answers.length}: ${won.length} × 201, ${repeats.length} × 200, ` +
      `${closed.length} × 409, ${others.length} other; state ${JSON.stringify(state)}`,
  );
  return problems;
}

async function checkHello(base: string): Promise<string[]> {
  const res = await fetch(`${base}/`);
  const text = await res.text();
  console.log(`  GET / → ${res.status} ${JSON.stringify(text)}`);
  return res.status === 200 && text === "hello" ? [] : [`GET / answered ${res.status} ${text}`];
}

async function createTrial(base: string, slots: number): Promise<string> {
  const res = await fetch(`${base}/peer/trials`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ slots }),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || !body.id) throw new Error(`POST /peer/trials: ${res.status}`);
  return body.id;
}

function apply(base: string, trialId: string, token: string | null): Promise<Response> {
  return fetch(`${base}/v1/trials/${trialId}/applications`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: "{}",
  });
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

const database = await resolveTestDatabase();
let redis: TestRedis | null = null;
let failed = false;
try {
  redis = await claimTestRedis(process.env.REDIS_URL);
  if (database.kind !== "server") throw new Error("the pg peer needs a real Postgres at :5432");
  if (!redis) throw new Error("the redis peer needs Redis (REDIS_URL or 127.0.0.1:6379)");
  const env: Record<PeerKind, Record<string, string>> = {
    "pg-rowlock": { JWT_SECRET, DATABASE_URL: database.url },
    "redis-lua": { JWT_SECRET, REDIS_URL: redis.url },
    "hello-workers": {},
    "hello-deno": {},
  };
  for (const kind of Object.keys(PORTS) as PeerKind[]) {
    console.log(`[self-check] ${kind}`);
    const started = Date.now();
    const peer = await startPeer(kind, { port: PORTS[kind], env: env[kind] });
    console.log(`  ready in ${Date.now() - started} ms at ${peer.base}`);
    try {
      const isHello = kind === "hello-workers" || kind === "hello-deno";
      const problems = await (isHello ? checkHello(peer.base) : checkAdmission(peer.base));
      for (const p of problems) console.log(`  FAIL ${p}`);
      console.log(`  ${problems.length === 0 ? "ok" : "FAILED"}`);
      failed ||= problems.length > 0;
    } finally {
      await peer.stop();
    }
  }
} finally {
  await redis?.release();
  await database.stop();
}
console.log(failed ? "[self-check] FAILED" : "[self-check] all peers ok");
process.exitCode = failed ? 1 : 0;
