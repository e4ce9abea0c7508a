import { createHash, createHmac } from "node:crypto";
import { expect } from "vitest";
import { api, baseUrls } from "../support/contract/client";
import { createProduct, type TestUser, waitFor } from "../support/contract/fixtures";

/**
 * Helpers of the fairness contract tests: everything an outsider computes is computed here
 * with node:crypto from API.md, never with the project's code.
 */

const server = (i: number) => i % baseUrls.length;

export interface Entry {
  n: number;
  kind: string;
  seq: number;
  applicationId: string;
  memberTag: string;
  outcome: string;
  at: number;
  prevHash: string;
  hash: string;
}

export interface OwnerApplication {
  id: string;
  userId: string;
  seq: number;
  status: string;
  position: number | null;
}

export async function createFairTrial(
  company: TestUser,
  terms: Record<string, unknown> & { opensAt: number; closesAt: number },
) {
  const productId = await createProduct(company);
  const res = await api("POST", "/v1/trials", {
    token: company.token,
    body: {
      productId,
      title: "Fair trial",
      description: "Drawn, not raced",
      ...terms,
      opensAt: new Date(terms.opensAt).toISOString(),
      closesAt: new Date(terms.closesAt).toISOString(),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; seedCommitment: string; seed: string | null };
}

export const apply = (trialId: string, m: TestUser, i: number) =>
  api("POST", `/v1/trials/${trialId}/applications`, {
    token: m.token,
    body: {},
    server: server(i),
  });

/** Resolves once the clock has passed `at`: a time the gate acts at. */
export const until = (at: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, at - Date.now()) + 50));

export async function readLog(trialId: string): Promise<Entry[]> {
  const res = await api("GET", `/v1/trials/${trialId}/log?limit=1000`);
  expect(res.status).toBe(200);
  return res.body.items as Entry[];
}

/** Waits for the log to hold `count` DRAWN entries (reading it touches nothing but the log). */
export async function drawnLog(trialId: string, count: number): Promise<Entry[]> {
  return waitFor(
    async () => {
      const log = await readLog(trialId);
      return log.filter((e) => e.kind === "DRAWN").length === count ? log : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `the draw of ${trialId}` },
  );
}

/** The owner's view (Postgres), once it holds `count` applications and none PENDING. */
export async function settledApplications(
  owner: TestUser,
  trialId: string,
  count: number,
): Promise<OwnerApplication[]> {
  return waitFor(
    async () => {
      const all: OwnerApplication[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const res = await api("GET", `/v1/trials/${trialId}/applications?limit=100${query}`, {
          token: owner.token,
        });
        if (res.status !== 200) return undefined;
        all.push(...(res.body.items as OwnerApplication[]));
        cursor = res.body.nextCursor as string | null;
      } while (cursor);
      const settled = all.length === count && all.every((a) => a.status !== "PENDING");
      return settled ? all : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300, what: `the persisted outcomes of ${trialId}` },
  );
}

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** API.md: ascending hex HMAC-SHA256(key = seed + logHash, message = application id). */
export function ranking(seed: string, logHash: string, ids: readonly string[]): string[] {
  const key = new Map(
    ids.map((id) => [
      id,
      createHmac("sha256", seed + logHash)
        .update(id)
        .digest("hex"),
    ]),
  );
  return [...ids].sort((a, b) => ((key.get(a) as string) < (key.get(b) as string) ? -1 : 1));
}

/** What the draw must give each rank. */
export function outcomesByRank(n: number, slots: number, waitlistSize: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    i < slots ? "WON" : i < slots + waitlistSize ? "WAITLISTED" : "NOT_SELECTED",
  );
}

/** Every link and hash of the log, recomputed from API.md's text. */
export function chainHolds(log: readonly Entry[]): boolean {
  let prev = "0".repeat(64);
  return log.every((e, i) => {
    const text = [
      e.prevHash,
      e.n,
      e.kind,
      e.seq,
      e.applicationId,
      e.memberTag,
      e.outcome,
      e.at,
    ].join("\n");
    const ok = e.n === i + 1 && e.prevHash === prev && sha256(text) === e.hash;
    prev = e.hash;
    return ok;
  });
}
