import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const KEEP_MS = 60_000;

/** A list of its own (the app uses the one named REVOCATION_LIST_NAME). */
const freshList = () => env.REVOCATIONS.get(env.REVOCATIONS.idFromName(crypto.randomUUID()));

describe("RevocationList (the Durable Object behind the apply path's revocation check)", () => {
  it("hands each reader what came after its cursor; a cursor of another list starts over", async () => {
    const list = freshList();
    const now = Date.now();
    await list.publish({ userId: "a", atMs: now }, KEEP_MS);
    const first = await list.since(null, KEEP_MS);
    expect(first).toMatchObject({ reset: true, entries: [{ userId: "a", atMs: now }] });

    expect(await list.since(first.cursor, KEEP_MS)).toEqual({
      cursor: first.cursor,
      reset: false,
      entries: [],
    });
    await list.publish({ userId: "b", atMs: now + 1 }, KEEP_MS);
    const next = await list.since(first.cursor, KEEP_MS);
    expect(next).toMatchObject({ reset: false, entries: [{ userId: "b", atMs: now + 1 }] });

    const foreign = await list.since(`another-epoch/${Number.MAX_SAFE_INTEGER}`, KEEP_MS);
    expect(foreign.reset).toBe(true);
    expect(foreign.entries.map((e) => e.userId)).toEqual(["a", "b"]);
  });

  it("drops revocations older than every token they could concern", async () => {
    const list = freshList();
    const now = Date.now();
    await list.publish({ userId: "old", atMs: now - KEEP_MS - 1_000 }, KEEP_MS);
    await list.publish({ userId: "new", atMs: now }, KEEP_MS);
    const all = await list.since(null, KEEP_MS);
    expect(all.entries.map((e) => e.userId)).toEqual(["new"]);
  });
});
