// A Redis database of its own for each test run, so concurrent runs (two worktrees, CI jobs
// on one machine) never share rate-limit counters or cached rows. Databases 1–15 are
// claimed with a lease key in database 0; a claimed database is flushed only if it is empty
// or carries the marker a test run leaves in it, so nobody else's data is ever touched.
import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { type RedisBridge, redactRedisUrl, startRedisBridge } from "./rest-bridge";

export interface TestRedis {
  /** redis://host:port/<claimed db> */
  url: string;
  db: number;
  /** Flushes the claimed database (only ours) and gives the claim back. */
  release(): Promise<void>;
}

const DEFAULT_URL = "redis://127.0.0.1:6379";
const LEASE_SECONDS = 4 * 3600; // a run that outlives this loses nothing but its exclusivity
const MARKER = "tryit:test-run";
const claimKey = (db: number) => `tryit:test-redis-db:${db}`;

// Compare-and-delete: release only a claim that is still ours.
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;

/**
 * Null when no Redis answers (the caller decides whether that is fatal); throws when Redis
 * answers but every test database is taken.
 */
export async function claimTestRedis(baseUrl = DEFAULT_URL): Promise<TestRedis | null> {
  const admin = connect(baseUrl, 0);
  try {
    await admin.connect();
    await admin.ping();
  } catch {
    admin.disconnect();
    return null;
  }
  const owner = `${process.pid}:${randomBytes(6).toString("hex")}`;
  try {
    for (const db of shuffled(range(1, 15))) {
      const claimed = await admin.set(claimKey(db), owner, "EX", LEASE_SECONDS, "NX");
      if (claimed !== "OK") continue;
      const conn = connect(baseUrl, db);
      try {
        await conn.connect();
        const leftover = await conn.dbsize();
        if (leftover > 0 && !(await conn.exists(MARKER))) {
          // Someone's own data: not ours to flush. Give the claim back, try another.
          await admin.eval(RELEASE, 1, claimKey(db), owner);
          continue;
        }
        if (leftover > 0) await conn.flushdb(); // a crashed run's keys, marked as ours
        await conn.set(MARKER, owner);
      } finally {
        conn.disconnect();
      }
      return { url: withDb(baseUrl, db), db, release: () => release(baseUrl, db, owner) };
    }
  } finally {
    admin.disconnect();
  }
  throw new Error(`every Redis database 1-15 at ${redactRedisUrl(baseUrl)} is claimed or in use`);
}

async function release(baseUrl: string, db: number, owner: string): Promise<void> {
  const conn = connect(baseUrl, db);
  const admin = connect(baseUrl, 0);
  try {
    await Promise.all([conn.connect(), admin.connect()]);
    if ((await conn.get(MARKER)) === owner) await conn.flushdb();
    await admin.eval(RELEASE, 1, claimKey(db), owner);
  } finally {
    conn.disconnect();
    admin.disconnect();
  }
}

function connect(baseUrl: string, db: number): Redis {
  const redis = new Redis(withDb(baseUrl, db), {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null, // a setup step: fail, do not reconnect forever
  });
  redis.on("error", () => {});
  return redis;
}

function withDb(baseUrl: string, db: number): string {
  const url = new URL(baseUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * For the test global setup: the bridge in front of a claimed database of the local Redis
 * (TEST_REDIS_URL to use another). No Redis: under CI=true that is an error; otherwise one
 * line is printed and the run goes on with caching off (the tests that need Redis then fail
 * on their own, saying so).
 */
export async function startTestRedisBridge(): Promise<RedisBridge | null> {
  const baseUrl = process.env.TEST_REDIS_URL ?? DEFAULT_URL;
  const redis = await claimTestRedis(baseUrl);
  if (!redis) {
    if (process.env.CI === "true") {
      throw new Error(`Redis is not answering at ${redactRedisUrl(baseUrl)}; CI=true requires it.`);
    }
    console.log(`[test] no Redis at ${redactRedisUrl(baseUrl)}: caching and rate limits off`);
    return null;
  }
  let bridge: RedisBridge;
  try {
    bridge = await startRedisBridge({
      redisUrl: redis.url,
      token: randomBytes(24).toString("hex"),
    });
  } catch (err) {
    await redis.release();
    throw err;
  }
  console.log(`[test] Redis: database ${redis.db} behind the REST bridge on ${bridge.url}`);
  return {
    ...bridge,
    close: async () => {
      await bridge.close();
      await redis.release();
    },
  };
}
