import assert from "node:assert/strict";
import type { RateLimiter, RateRule } from "../../core/ports/rate-limiter.ts";
import { denoRateLimiter, isolateRateLimiter, kvRateLimiter } from "../rate-limiter.ts";
import { tempKv } from "./helpers.ts";

const rule = (limit: number, windowSeconds = 60, hotPath = false): RateRule => ({
  name: `test-${crypto.randomUUID()}`,
  limit,
  windowSeconds,
  hotPath,
});

/** A clock the test moves by hand, starting 15 s into a 60 s window. */
function manualClock() {
  let t = Math.floor(1_800_000_000_000 / 60_000) * 60_000 + 15_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function admitted(limiter: RateLimiter, r: RateRule, key: string, attempts: number) {
  let ok = 0;
  for (let i = 0; i < attempts; i++) if ((await limiter.check(r, key)).ok) ok++;
  return ok;
}

/** A KV whose every call throws: proves a limiter never touched it. */
const unreachableKv = new Proxy({} as Deno.Kv, {
  get() {
    throw new Error("this limiter must not touch KV");
  },
});

Deno.test("isolate limiter: exactly the limit per window, Retry-After to the window's end", async () => {
  const clock = manualClock();
  const limiter = isolateRateLimiter(clock.now);
  const r = rule(3);
  assert.equal(await admitted(limiter, r, "member-a", 5), 3);
  assert.deepEqual(await limiter.check(r, "member-a"), { ok: false, retryAfterSeconds: 45 });
  clock.advance(44_001);
  assert.deepEqual(await limiter.check(r, "member-a"), { ok: false, retryAfterSeconds: 1 });
  // Another key, another rule: counted apart.
  assert.equal(await admitted(limiter, r, "member-b", 3), 3);
  assert.equal(await admitted(limiter, rule(3), "member-a", 3), 3);
  // The next window starts from zero.
  clock.advance(1_000);
  assert.equal(await admitted(limiter, r, "member-a", 5), 3);
});

Deno.test("KV limiter: exactly the limit per window, Retry-After to the window's end", async () => {
  const { kv, close } = await tempKv();
  try {
    const clock = manualClock();
    const limiter = kvRateLimiter(kv, clock.now);
    const r = rule(5);
    assert.equal(await admitted(limiter, r, "digest-1", 8), 5);
    clock.advance(30_000);
    assert.deepEqual(await limiter.check(r, "digest-1"), { ok: false, retryAfterSeconds: 15 });
    assert.equal(await admitted(limiter, r, "digest-2", 5), 5);
    clock.advance(15_000);
    assert.equal(await admitted(limiter, r, "digest-1", 8), 5);
  } finally {
    await close();
  }
});

Deno.test("KV limiter: two isolates on one KV share the count (a guesser gains nothing by switching)", async () => {
  const { kv, path, close } = await tempKv();
  const other = await Deno.openKv(path);
  try {
    const r = rule(6);
    const { now } = manualClock();
    const one = kvRateLimiter(kv, now);
    const two = kvRateLimiter(other, now);
    let ok = 0;
    for (let i = 0; i < 10; i++) if ((await (i % 2 ? one : two).check(r, "e-mail")).ok) ok++;
    assert.equal(ok, 6);
  } finally {
    other.close();
    await close();
  }
});

Deno.test("KV limiter: 40 simultaneous attempts on one key admit exactly the limit", async () => {
  const { kv, path, close } = await tempKv();
  const other = await Deno.openKv(path);
  try {
    const r = rule(10);
    const { now } = manualClock();
    const [one, two] = [kvRateLimiter(kv, now), kvRateLimiter(other, now)];
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).check(r, "burst")),
    );
    assert.equal(answers.filter((a) => a.ok).length, 10);
    for (const a of answers) if (!a.ok) assert.ok(a.retryAfterSeconds >= 1);
  } finally {
    other.close();
    await close();
  }
});

Deno.test("KV limiter: a key over its limit is refused from memory, without reading KV again", async () => {
  const { kv, close } = await tempKv();
  try {
    let reads = 0;
    const counting = new Proxy(kv, {
      get(target, prop) {
        if (prop === "get") reads++;
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const limiter = kvRateLimiter(counting);
    const r = rule(2);
    assert.equal(await admitted(limiter, r, "bot", 3), 2);
    const before = reads;
    assert.equal(await admitted(limiter, r, "bot", 20), 0);
    assert.equal(reads, before);
  } finally {
    await close();
  }
});

Deno.test("KV limiter: one counter per rule, window and key", async () => {
  const { kv, close } = await tempKv();
  try {
    const r = rule(3);
    const { now } = manualClock();
    await kvRateLimiter(kv, now).check(r, "digest-x");
    const entries = [];
    for await (const e of kv.list<number>({ prefix: ["rate-limit", r.name] })) entries.push(e);
    assert.deepEqual(
      entries.map((e) => ({ key: e.key, value: e.value })),
      [{ key: ["rate-limit", r.name, 60, Math.floor(now() / 60_000), "digest-x"], value: 1 }],
    );
  } finally {
    await close();
  }
});

Deno.test("KV limiter: fails open when KV keeps failing, never when a key is busy", async () => {
  const broken = {
    get: () => Promise.reject(new Error("kv down")),
    atomic: () => {
      throw new Error("kv down");
    },
  } as unknown as Deno.Kv;
  assert.deepEqual(await kvRateLimiter(broken).check(rule(1), "k"), { ok: true });

  // Every commit loses its race: contention is refused, not waved through.
  const { kv, close } = await tempKv();
  try {
    const losing = new Proxy(kv, {
      get(target, prop) {
        if (prop === "atomic") {
          return () => ({
            check() {
              return this;
            },
            set() {
              return this;
            },
            commit: async () => ({ ok: false }),
          });
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    assert.deepEqual(await kvRateLimiter(losing).check(rule(5), "k"), {
      ok: false,
      retryAfterSeconds: 1,
    });
  } finally {
    await close();
  }
});

Deno.test("Deno's limiter counts the hot-path rule in the isolate (no KV), the others in KV", async () => {
  const hot = rule(4, 10, true);
  const isolateOnly = denoRateLimiter(unreachableKv);
  assert.equal(await admitted(isolateOnly, hot, "member", 6), 4);
  const refused = await isolateOnly.check(hot, "member");
  assert.ok(!refused.ok && refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 10);

  const { kv, close } = await tempKv();
  try {
    const [a, b] = [denoRateLimiter(kv), denoRateLimiter(kv)];
    const shared = rule(4);
    assert.equal(await admitted(a, shared, "address", 3), 3);
    assert.equal(await admitted(b, shared, "address", 3), 1);
    // The hot-path rule is each isolate's own.
    assert.equal(await admitted(a, hot, "member", 4), 4);
    assert.equal(await admitted(b, hot, "member", 4), 4);
  } finally {
    await close();
  }
});
