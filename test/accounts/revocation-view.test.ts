import { describe, expect, it } from "vitest";
import type { Revocation, RevocationStore } from "../../core/ports/revocations";
import {
  MAX_STALENESS_MS,
  REFRESH_AFTER_MS,
  RevocationView,
  revokedBy,
} from "../../workers/auth/revocations";
import { AppError } from "../../workers/errors";

/** An in-memory list that counts the reads and can be made to fail. */
function fakeStore() {
  const log: Revocation[] = [];
  const store: RevocationStore & { reads: number; failing: boolean } = {
    reads: 0,
    failing: false,
    async publish(r: Revocation) {
      log.push(r);
    },
    async since(cursor: string | null) {
      store.reads++;
      if (store.failing) throw new Error("store down (simulated)");
      const from = cursor === null ? 0 : Number(cursor);
      return { cursor: String(log.length), reset: cursor === null, entries: log.slice(from) };
    },
  };
  return { store, behindTheViewsBack: (r: Revocation) => log.push(r) };
}

const KEEP_MS = 60_000;
const background: Promise<unknown>[] = [];
const waitUntil = (p: Promise<unknown>) => background.push(p);

describe("RevocationView", () => {
  it("counts a token issued at the very instant as revoked, a millisecond later as not", () => {
    expect(revokedBy(1_000, 1_000)).toBe(true);
    expect(revokedBy(1_001, 1_000)).toBe(false);
    expect(revokedBy(1_000, null)).toBe(false);
  });

  it("reads the store at most once per MAX_STALENESS_MS, and never answers from an older copy", async () => {
    let now = 10_000;
    const { store, behindTheViewsBack } = fakeStore();
    const view = new RevocationView(store, KEEP_MS, () => now);
    expect(await view.isRevoked("u1", 9_000, waitUntil)).toBe(false);
    expect(store.reads).toBe(1);

    behindTheViewsBack({ userId: "u1", atMs: 9_500 });
    // A burst within the fresh period: answered from memory, no read.
    for (let i = 0; i < 100; i++) await view.isRevoked("u1", 9_000, waitUntil);
    expect(store.reads).toBe(1);
    expect(await view.isRevoked("u1", 9_000, waitUntil)).toBe(false);

    // Past the staleness bound the copy is refreshed before answering.
    now += MAX_STALENESS_MS;
    expect(await view.isRevoked("u1", 9_000, waitUntil)).toBe(true);
    expect(await view.isRevoked("u1", 9_600, waitUntil)).toBe(false);
    expect(store.reads).toBe(2);
  });

  it("refreshes in the background once the copy is half as old, so a busy isolate never waits", async () => {
    let now = 10_000;
    const { store, behindTheViewsBack } = fakeStore();
    const view = new RevocationView(store, KEEP_MS, () => now);
    await view.isRevoked("u1", 0, waitUntil);
    behindTheViewsBack({ userId: "u1", atMs: 9_999 });
    now += REFRESH_AFTER_MS;
    expect(await view.isRevoked("u1", 9_000, waitUntil)).toBe(false); // not waited for
    await Promise.all(background);
    expect(await view.isRevoked("u1", 9_000, waitUntil)).toBe(true);
    expect(store.reads).toBe(2);
  });

  it("one concurrent refresh serves every waiting request", async () => {
    const { store } = fakeStore();
    const view = new RevocationView(store, KEEP_MS);
    await Promise.all(Array.from({ length: 50 }, () => view.isRevoked("u1", 0, waitUntil)));
    expect(store.reads).toBe(1);
  });

  it("keeps its copy and lets requests through while the store is down, asking again a second later", async () => {
    let now = 10_000;
    const { store } = fakeStore();
    const view = new RevocationView(store, KEEP_MS, () => now);
    await view.revoke({ userId: "u1", atMs: 9_000 });
    await view.isRevoked("u1", 0, waitUntil);
    store.failing = true;
    now += MAX_STALENESS_MS;
    expect(await view.isRevoked("u1", 8_000, waitUntil)).toBe(true); // the old copy holds
    expect(await view.isRevoked("u2", 8_000, waitUntil)).toBe(false);
    expect(store.reads).toBe(2); // not asked again within the second
    store.failing = false;
    now += MAX_STALENESS_MS;
    await view.isRevoked("u2", 8_000, waitUntil);
    expect(store.reads).toBe(3);
  });

  it("answers 503 with Retry-After when a revocation cannot be published, and honours nothing", async () => {
    const view = new RevocationView(
      {
        publish: async () => {
          throw new Error("store down (simulated)");
        },
        since: async () => ({ cursor: "0", reset: true, entries: [] }),
      },
      KEEP_MS,
    );
    const failed = await view.revoke({ userId: "u1", atMs: 9_000 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AppError);
    expect(failed).toMatchObject({ code: "SERVICE_UNAVAILABLE", status: 503, retryAfter: 1 });
  });

  it("forgets a revocation once every token it could refuse has expired", async () => {
    let now = 10_000;
    const { store } = fakeStore();
    const view = new RevocationView(store, KEEP_MS, () => now);
    await view.revoke({ userId: "u1", atMs: 9_000 });
    now = 9_000 + KEEP_MS + MAX_STALENESS_MS + 1;
    await view.isRevoked("u1", 0, waitUntil);
    expect(await view.isRevoked("u1", 8_000, waitUntil)).toBe(false);
  });
});
