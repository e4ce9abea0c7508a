import { describe, expect, it } from "vitest";
import { b64, rawCall, sdk, uniqueKey } from "../support/workerd/redis";

/**
 * The REST bridge (scripts/local-stack/upstash-bridge/rest-bridge.ts) through the real SDK, from inside workerd,
 * over fetch: exactly the path the app's cache and rate limiter take to Redis.
 */
describe("Redis REST bridge, through @upstash/redis", () => {
  const redis = sdk();

  it("sets, gets, deletes, counts and expires", async () => {
    const key = uniqueKey("basic");
    expect(await redis.set(key, "value")).toBe("OK");
    expect(await redis.get(key)).toBe("value");
    expect(await redis.incr(`${key}:n`)).toBe(1);
    expect(await redis.incr(`${key}:n`)).toBe(2);
    expect(await redis.expire(key, 100)).toBe(1);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await redis.del(key, `${key}:n`)).toBe(2);
    expect(await redis.get(key)).toBeNull();
  });

  it("keeps unicode and binary-ish strings byte for byte", async () => {
    const key = uniqueKey("bytes");
    const text = 'héllo ✓ 🎉 \u0000 \u00ff \u0001\u001f tab\tnew\nline "quoted" \\ OK';
    await redis.set(key, text);
    expect(await redis.get(key)).toBe(text);
    // A value that looks like base64 or like a status reply must not be mangled either.
    await redis.set(key, "OK");
    expect(await redis.get(key)).toBe("OK");
    await redis.set(key, "T0s=");
    expect(await redis.get(key)).toBe("T0s=");
    await redis.del(key);
  });

  it("answers null for what does not exist, also inside arrays", async () => {
    const key = uniqueKey("nulls");
    expect(await redis.get(key)).toBeNull();
    await redis.set(`${key}:a`, "a");
    expect(await redis.mget(`${key}:a`, `${key}:missing`)).toEqual(["a", null]);
    await redis.del(`${key}:a`);
  });

  it("runs a pipeline in order, with per-command errors", async () => {
    const key = uniqueKey("pipe");
    const p = redis.pipeline();
    p.set(key, "1");
    p.incr(key);
    p.rpush(`${key}:list`, "x", "ÿ");
    p.lrange(`${key}:list`, 0, -1);
    p.del(key, `${key}:list`);
    expect(await p.exec()).toEqual(["OK", 2, 2, ["x", "ÿ"], 2]);

    const failing = redis.pipeline();
    failing.set(key, "not a number");
    failing.incr(key);
    failing.get(key);
    const results = await failing.exec({ keepErrors: true });
    expect(results[1]?.error).toMatch(/not an integer/);
    expect(results[2]?.result).toBe("not a number");
    await redis.del(key);
  });

  it("runs MULTI/EXEC as one transaction", async () => {
    const key = uniqueKey("multi");
    const tx = redis.multi();
    tx.set(key, "v");
    tx.get(key);
    tx.incr(`${key}:n`);
    tx.del(key, `${key}:n`);
    expect(await tx.exec()).toEqual(["OK", "v", 1, 2]);
  });

  it("runs Lua scripts: EVAL, SCRIPT LOAD, EVALSHA, and NOSCRIPT for an unknown one", async () => {
    const key = uniqueKey("lua");
    const script =
      "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('GET', KEYS[1]), tonumber(ARGV[2]) + 1, false}";
    expect(await redis.eval(script, [key], ["ä", 41])).toEqual(["ä", 42, null]);
    const sha = await redis.scriptLoad(script);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.evalsha(sha, [key], ["b", 1])).toEqual(["b", 2, null]);
    // @upstash/ratelimit falls back from EVALSHA to EVAL on exactly this message.
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
    await redis.del(key);
  });

  it("runs scripts carrying Upstash-only shebang flags, by EVAL and by the SDK's own SHA1", async () => {
    // @upstash/ratelimit's scripts start like this; a plain Redis 7.0 refuses the flag.
    const script = `#!lua flags=allow-key-locking,no-writes\nreturn {KEYS[1], ARGV[1], "${crypto.randomUUID()}"}`;
    const key = uniqueKey("flags");
    const expected = [key, "x", expect.any(String)];
    // What the SDK does: EVALSHA with the SHA1 of its own text, EVAL when Redis says NOSCRIPT.
    const sha = await sha1(script);
    await expect(redis.evalsha(sha, [key], ["x"])).rejects.toThrow(/NOSCRIPT/);
    expect(await redis.eval(script, [key], ["x"])).toEqual(expected);
    expect(await redis.evalsha(sha, [key], ["x"])).toEqual(expected); // now known by that SHA1
    expect(await redis.scriptExists(sha)).toEqual([1]);
    // SCRIPT LOAD answers the SHA1 of the script as sent, which EVALSHA then accepts.
    const other = `#!lua flags=allow-key-locking\nreturn "${crypto.randomUUID()}"`;
    const loaded = await redis.scriptLoad(other);
    expect(loaded).toBe(await sha1(other));
    expect(typeof (await redis.evalsha(loaded, [], []))).toBe("string");
  });

  it("reports a command error as an error, not a result", async () => {
    const key = uniqueKey("err");
    await redis.set(key, "text");
    await expect(redis.incr(key)).rejects.toThrow(/ERR value is not an integer/);
    const raw = await rawCall("", ["INCR", key]);
    expect(raw.status).toBe(400);
    expect(raw.body).toEqual({ error: "ERR value is not an integer or out of range" });
    await redis.del(key);
  });
});

describe("Redis REST bridge, the wire format", () => {
  it("base64-encodes every string at any depth, and leaves numbers and null alone", async () => {
    const key = uniqueKey("wire");
    const value = "ünïcødé ✓";
    expect(await rawCall("", ["SET", key, value])).toEqual({
      status: 200,
      body: { result: b64("OK") },
    });
    expect(await rawCall("", ["GET", key])).toEqual({ status: 200, body: { result: b64(value) } });
    expect((await rawCall("", ["GET", `${key}:none`])).body).toEqual({ result: null });
    expect((await rawCall("", ["INCR", `${key}:n`])).body).toEqual({ result: 1 });
    // Nested: EVAL returning an array that holds a string, a number, a null and an array.
    const nested = await rawCall("", [
      "EVAL",
      "return {ARGV[1], 7, false, {ARGV[1], 8}}",
      "0",
      value,
    ]);
    expect(nested.body).toEqual({ result: [b64(value), 7, null, [b64(value), 8]] });
    const pipeline = await rawCall("/pipeline", [
      ["GET", key],
      ["INCR", key],
    ]);
    expect(pipeline.body).toEqual([
      { result: b64(value) },
      { error: "ERR value is not an integer or out of range" },
    ]);
    await rawCall("", ["DEL", key, `${key}:n`]);
  });

  it("sends plain UTF-8 text when the client does not ask for base64", async () => {
    const key = uniqueKey("plain");
    await rawCall("", ["SET", key, "ünï"], { base64: false });
    expect((await rawCall("", ["GET", key], { base64: false })).body).toEqual({ result: "ünï" });
    expect((await rawCall("", ["SET", key, "x"], { base64: false })).body).toEqual({
      result: "OK",
    });
    await rawCall("", ["DEL", key]);
  });

  it("refuses a request without the token, or with a wrong one (401)", async () => {
    expect((await rawCall("", ["PING"], { token: null })).status).toBe(401);
    expect((await rawCall("", ["PING"], { token: "wrong" })).status).toBe(401);
    expect((await rawCall("/pipeline", [["PING"]], { token: "wrong" })).status).toBe(401);
    await expect(sdk({ token: "wrong" }).ping()).rejects.toThrow(/Unauthorized/);
    expect(await sdk().ping()).toBe("PONG");
  });

  it("answers malformed requests with 400 and refuses connection-wide commands", async () => {
    expect((await rawCall("", "not json")).status).toBe(400);
    expect((await rawCall("", [])).status).toBe(400);
    expect((await rawCall("", [{ an: "object" }])).status).toBe(400);
    expect((await rawCall("/pipeline", ["GET", "x"])).status).toBe(400);
    for (const command of [
      ["SELECT", "0"],
      ["FLUSHALL"],
      ["SUBSCRIBE", "c"],
      ["BLPOP", "k", "0"],
    ]) {
      const res = await rawCall("", command);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/not allowed/);
    }
  });

  it("aborts a MULTI/EXEC whose command is refused while queueing, running none of it", async () => {
    const key = uniqueKey("abort");
    const res = await rawCall("/multi-exec", [["SET", key, "1"], ["NOSUCHCOMMAND"]]);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/EXECABORT|unknown command/i);
    expect((await rawCall("", ["EXISTS", key])).body).toEqual({ result: 0 });
  });
});

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
