// Benchmark peer: first-come admission as the usual coupon/flash-sale design does it. One
// Lua script per applicant, atomic because Redis runs one script at a time: dedupe set,
// INCR a counter (DECR back when over), remember the member's seq, and XADD the durable
// record a consumer would later persist (the counterpart of our gate's outbox).
// Run: PORT=… REDIS_URL=redis://127.0.0.1:6379/7 JWT_SECRET=… tsx bench/peers/redis-lua.ts
import { createHash, randomUUID } from "node:crypto";
import Redis from "ioredis";
import {
  type ApplyOutcome,
  type PeerAdmission,
  type PeerApplication,
  positiveIntEnv,
  requireEnv,
  servePeer,
} from "./http";

// KEYS: slots, taken (counter), users (dedupe set), seqs (hash user → seq), stream.
// ARGV[1]: the member's id. Returns {outcome, seq}.
const ADMIT_LUA = `
local slots = tonumber(redis.call("GET", KEYS[1]))
if not slots then return {4, 0} end
if redis.call("SISMEMBER", KEYS[3], ARGV[1]) == 1 then
  return {2, tonumber(redis.call("HGET", KEYS[4], ARGV[1]))}
end
local seq = redis.call("INCR", KEYS[2])
if seq > slots then
  redis.call("DECR", KEYS[2])
  return {3, 0}
end
redis.call("SADD", KEYS[3], ARGV[1])
redis.call("HSET", KEYS[4], ARGV[1], seq)
redis.call("XADD", KEYS[5], "*", "userId", ARGV[1], "seq", seq)
return {1, seq}
`;
const OUTCOMES = { 1: "admitted", 2: "repeat", 3: "full", 4: "unknown-trial" } as const;

type AdmitReply = [keyof typeof OUTCOMES, number];
type RedisWithAdmit = Redis & { admit(...keysThenArgs: string[]): Promise<AdmitReply> };

// One hash slot per trial ({id}), so the script's keys could live on one Redis Cluster node.
function trialKeys(trialId: string) {
  const k = (name: string) => `peer:trial:{${trialId}}:${name}`;
  return {
    slots: k("slots"),
    taken: k("taken"),
    users: k("users"),
    seqs: k("seqs"),
    stream: k("stream"),
  };
}

/**
 * The application's id, derived from (trial, member) in the shape of a name-based UUID: there
 * is one application per member per trial, so a repeat gets the same id without the script
 * storing one.
 */
function applicationId(trialId: string, userId: string): string {
  const b = createHash("sha1").update(`${trialId}/${userId}`).digest();
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function redisAdmission(redis: RedisWithAdmit): PeerAdmission {
  return {
    async apply(trialId, userId): Promise<ApplyOutcome> {
      const keys = trialKeys(trialId);
      const [code, seq] = await redis.admit(
        keys.slots,
        keys.taken,
        keys.users,
        keys.seqs,
        keys.stream,
        userId,
      );
      const kind = OUTCOMES[code];
      if (kind === "full" || kind === "unknown-trial") return { kind };
      if (!kind || !Number.isInteger(seq) || seq < 1) {
        throw new Error(`admit script answered ${JSON.stringify([code, seq])}`);
      }
      const application: PeerApplication = {
        id: applicationId(trialId, userId),
        trialId,
        userId,
        seq,
        status: "WON",
      };
      return { kind, application };
    },

    async createTrial(slots) {
      const id = randomUUID();
      const keys = trialKeys(id);
      await redis.multi().set(keys.slots, slots).set(keys.taken, 0).exec();
      return id;
    },

    async trialState(trialId) {
      const keys = trialKeys(trialId);
      const replies = await redis
        .multi()
        .get(keys.slots)
        .get(keys.taken)
        .hlen(keys.seqs)
        .scard(keys.users)
        .xlen(keys.stream)
        .hvals(keys.seqs)
        .exec();
      if (!replies) throw new Error("the state transaction was aborted");
      const [slots, taken, applications, distinctUsers, streamLength, seqs] = replies.map(
        ([err, value]) => {
          if (err) throw err;
          return value;
        },
      );
      if (slots === null) return null;
      const seqNumbers = (seqs as string[]).map(Number);
      return {
        slots: Number(slots),
        taken: Number(taken),
        applications: Number(applications),
        distinctUsers: Number(distinctUsers),
        distinctSeqs: new Set(seqNumbers).size,
        maxSeq: seqNumbers.reduce((max, s) => Math.max(max, s), 0),
        streamLength: Number(streamLength),
      };
    },

    close: async () => {
      await redis.quit();
    },
  };
}

const port = positiveIntEnv("PORT", 8992);
const redis = new Redis(requireEnv("REDIS_URL"), { lazyConnect: true });
redis.on("error", (err) => console.error("[redis-lua] redis error:", err.message));
redis.defineCommand("admit", { numberOfKeys: 5, lua: ADMIT_LUA });
await redis.connect();
await redis.ping();

await servePeer(
  "redis-lua",
  port,
  requireEnv("JWT_SECRET"),
  redisAdmission(redis as RedisWithAdmit),
);
