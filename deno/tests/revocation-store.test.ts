import assert from "node:assert/strict";
import { kvRevocationStore } from "../revocation-store.ts";
import { tempKv } from "./helpers.ts";

const KEEP_MS = 60_000;

Deno.test("the KV revocation list hands each reader what came after its cursor, in order", async () => {
  const { kv, close } = await tempKv();
  try {
    const store = kvRevocationStore(kv);
    const empty = await store.since(null, KEEP_MS);
    assert.deepEqual({ reset: empty.reset, entries: empty.entries }, { reset: true, entries: [] });

    const now = Date.now();
    await store.publish({ userId: "a", atMs: now }, KEEP_MS);
    await store.publish({ userId: "b", atMs: now + 1 }, KEEP_MS);
    // A cursor from before the list existed belongs to no epoch: everything, as a reset.
    const first = await store.since(empty.cursor, KEEP_MS);
    assert.equal(first.reset, true);
    assert.deepEqual(
      first.entries.map((e) => e.userId),
      ["a", "b"],
    );

    const unchanged = await store.since(first.cursor, KEEP_MS);
    assert.deepEqual(unchanged, { cursor: first.cursor, reset: false, entries: [] });

    await store.publish({ userId: "c", atMs: now + 2 }, KEEP_MS);
    const next = await store.since(first.cursor, KEEP_MS);
    assert.equal(next.reset, false);
    assert.deepEqual(next.entries, [{ userId: "c", atMs: now + 2 }]);
  } finally {
    await close();
  }
});

Deno.test("concurrent publishers each get their own seq; expired revocations are not handed out", async () => {
  const { kv, close } = await tempKv();
  try {
    const store = kvRevocationStore(kv);
    const now = Date.now();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.publish({ userId: `m${i}`, atMs: now }, KEEP_MS)),
    );
    await store.publish({ userId: "old", atMs: now - KEEP_MS - 1 }, KEEP_MS);
    const all = await store.since(null, KEEP_MS);
    assert.equal(all.entries.length, 20);
    assert.equal(new Set(all.entries.map((e) => e.userId)).size, 20);
    assert.ok(all.cursor.endsWith("/21"));
  } finally {
    await close();
  }
});
