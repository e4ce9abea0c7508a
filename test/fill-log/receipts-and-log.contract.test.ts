import { createHash } from "node:crypto";
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from "jose";
import * as v from "valibot";
import { beforeAll, describe, expect, it } from "vitest";
import * as R from "../../workers/openapi/responses";
import { type ApiResponse, api, baseUrls, errorCode } from "../support/contract/client";
import { createTrial, createUser, createUsers, type TestUser } from "../support/contract/fixtures";

/**
 * Receipts, the JWKS and the public fill log over HTTP, checked the way an outsider would:
 * signatures with jose against GET /.well-known/jwks.json only, hashes recomputed from the
 * text API.md defines with node:crypto, never with the project's own code. On Deno the
 * requests alternate between the two server processes, so both sign with one key and read
 * one log.
 */

type Entry = v.InferOutput<typeof R.LogEntry>;
const server = (i: number) => i % baseUrls.length;
const ISS = new URL(baseUrls[0] as string).origin;
const GENESIS = "0".repeat(64);

/** API.md: SHA-256 of prevHash\nn\nkind\nseq\napplicationId\nmemberTag\noutcome\nat. */
const hashOf = (e: Entry) =>
  createHash("sha256")
    .update(
      [e.prevHash, e.n, e.kind, e.seq, e.applicationId, e.memberTag, e.outcome, e.at].join("\n"),
      "utf8",
    )
    .digest("hex");

async function jwks() {
  const res = await api("GET", "/.well-known/jwks.json");
  expect(res.status).toBe(200);
  return createLocalJWKSet(v.parse(R.Jwks, res.body) as JSONWebKeySet);
}

/** Verifies a compact JWS against the served keys; its header and parsed payload. */
async function verified(jws: string) {
  const { payload, protectedHeader } = await compactVerify(jws, await jwks());
  return { header: protectedHeader, payload: JSON.parse(new TextDecoder().decode(payload)) };
}

async function readWholeLog(trialId: string): Promise<Entry[]> {
  const res = await api("GET", `/v1/trials/${trialId}/log?limit=1000`);
  expect(res.status).toBe(200);
  const page = v.parse(R.LogPage, res.body);
  expect(page.nextCursor).toBeNull();
  return page.items;
}

const apply = (trialId: string, member: TestUser, i: number) =>
  api("POST", `/v1/trials/${trialId}/applications`, {
    token: member.token,
    body: {},
    server: server(i),
  });

const receiptOf = (trialId: string, member: TestUser, i: number) =>
  api("GET", `/v1/trials/${trialId}/applications/me/receipt`, {
    token: member.token,
    server: server(i),
  });

describe("receipts and the public fill log", () => {
  // 2 places and 2 on the waitlist; the fifth member is refused; then the first winner
  // withdraws and the head of the waitlist is promoted: 4 APPLIED, WITHDRAWN, PROMOTED.
  let trialId: string;
  let members: TestUser[];
  let answers: ApiResponse[];

  beforeAll(async () => {
    const company = await createUser("COMPANY");
    trialId = (await createTrial(company, { slots: 2, waitlistSize: 2 })).id;
    members = await createUsers("MEMBER", 5);
    answers = [];
    // One at a time, so the log's order is the members' order.
    for (const [i, m] of members.entries()) answers.push(await apply(trialId, m, i));
  });

  it("serves the receipt keys at /.well-known/jwks.json: Ed25519 public JWKs with kid, cacheable", async () => {
    const res = await api("GET", "/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
    const { keys } = v.parse(R.Jwks, res.body);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
      expect(k).not.toHaveProperty("d");
    }
  });

  it("gives each new application a receipt that verifies and names its APPLIED entry", async () => {
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 409]);
    expect(errorCode(answers[4] as ApiResponse)).toBe("TRIAL_CLOSED");
    const log = await readWholeLog(trialId);
    for (const answer of answers.slice(0, 4)) {
      const application = v.parse(R.OwnApplication, answer.body);
      const { header, payload } = await verified(application.receipt as string);
      expect(header.alg).toBe("EdDSA");
      expect(typeof header.kid).toBe("string");
      expect(payload).toEqual({
        iss: ISS,
        trialId,
        applicationId: application.id,
        seq: application.seq,
        outcome: application.status,
        decidedAt: Date.parse(application.decidedAt),
        memberTag: expect.stringMatching(/^[0-9a-f]{64}$/),
        entry: expect.any(Number),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      const entry = log.find((e) => e.n === payload.entry);
      expect(entry).toEqual({
        n: payload.entry,
        kind: "APPLIED",
        seq: application.seq,
        applicationId: application.id,
        memberTag: payload.memberTag,
        outcome: application.status,
        at: expect.any(Number),
        prevHash: expect.any(String),
        hash: payload.hash,
      });
    }
    const outcomes = answers.slice(0, 4).map((a) => a.body.status);
    expect(outcomes).toEqual(["WON", "WON", "WAITLISTED", "WAITLISTED"]);
    // Four members, four pseudonyms.
    expect(new Set(log.map((e) => e.memberTag)).size).toBe(4);
  });

  it("answers a repeat (200) and GET …/me/receipt with the same receipt", async () => {
    for (const [i, m] of members.slice(0, 2).entries()) {
      const again = await apply(trialId, m, i + 1);
      expect(again.status).toBe(200);
      // Ed25519 signatures are deterministic: the same payload, the same receipt.
      expect(v.parse(R.OwnApplication, again.body).receipt).toBe(answers[i]?.body.receipt);
      const stored = await receiptOf(trialId, m, i + 1);
      expect(stored.status).toBe(200);
      expect(v.parse(R.Receipt, stored.body).receipt).toBe(answers[i]?.body.receipt);
    }
  });

  it("after a withdrawal, the receipts name the WITHDRAWN and PROMOTED entries", async () => {
    const [winner, , firstWaiting] = members as [TestUser, TestUser, TestUser];
    const gone = await api("DELETE", `/v1/trials/${trialId}/applications/me`, {
      token: winner.token,
    });
    expect(gone.status).toBe(200);
    const log = await readWholeLog(trialId);
    expect(log.map((e) => e.kind)).toEqual([
      "APPLIED",
      "APPLIED",
      "APPLIED",
      "APPLIED",
      "WITHDRAWN",
      "PROMOTED",
    ]);

    const withdrawn = await verified((await receiptOf(trialId, winner, 0)).body.receipt);
    expect(withdrawn.payload).toMatchObject({ outcome: "CANCELLED", entry: 5 });
    expect(withdrawn.payload.hash).toBe(log[4]?.hash);
    expect(log[4]).toMatchObject({ outcome: "CANCELLED", applicationId: answers[0]?.body.id });

    const promoted = await verified((await receiptOf(trialId, firstWaiting, 1)).body.receipt);
    expect(promoted.payload).toMatchObject({ outcome: "WON", entry: 6, hash: log[5]?.hash });
    expect(log[5]).toMatchObject({ outcome: "WON", applicationId: answers[2]?.body.id });
    // The promoted member's memberTag is the one of their APPLIED entry.
    expect(promoted.payload.memberTag).toBe(log[2]?.memberTag);
  });

  it("chains every entry: gapless n, each prevHash the previous hash, each hash recomputable", async () => {
    const log = await readWholeLog(trialId);
    expect(log.map((e) => e.n)).toEqual([1, 2, 3, 4, 5, 6]);
    let prev = GENESIS;
    for (const e of log) {
      expect(e.prevHash).toBe(prev);
      expect(e.hash).toBe(hashOf(e));
      prev = e.hash;
    }
  });

  it("signs the head: the last entry's n and hash and the trial's status, at the moment of reading", async () => {
    const log = await readWholeLog(trialId);
    const before = Date.now();
    const res = await api("GET", `/v1/trials/${trialId}/log/head`, { server: 1 });
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { header, payload } = await verified(v.parse(R.LogHead, res.body).head);
    expect(header).toMatchObject({ alg: "EdDSA", kid: expect.any(String) });
    const trial = await api("GET", `/v1/trials/${trialId}`);
    expect(payload).toEqual({
      trialId,
      n: 6,
      hash: log.at(-1)?.hash,
      status: trial.body.status,
      at: expect.any(Number),
    });
    // Clocks of one machine; a second either side for the servers' own.
    expect(payload.at).toBeGreaterThanOrEqual(before - 1000);
    expect(payload.at).toBeLessThanOrEqual(after + 1000);
  });

  it("pages the log with after, limit and nextCursor, null at the end", async () => {
    const page = async (query: string, i = 0) => {
      const res = await api("GET", `/v1/trials/${trialId}/log${query}`, { server: server(i) });
      expect(res.status).toBe(200);
      const body = v.parse(R.LogPage, res.body);
      return { ns: body.items.map((e) => e.n), nextCursor: body.nextCursor };
    };
    expect(await page("?limit=2")).toEqual({ ns: [1, 2], nextCursor: "2" });
    expect(await page("?after=2&limit=2", 1)).toEqual({ ns: [3, 4], nextCursor: "4" });
    // The last page is full and the log ends with it: null, not a cursor to an empty page.
    expect(await page("?after=4&limit=2")).toEqual({ ns: [5, 6], nextCursor: null });
    expect(await page("?after=3&limit=5", 1)).toEqual({ ns: [4, 5, 6], nextCursor: null });
    expect(await page("?after=6")).toEqual({ ns: [], nextCursor: null });
    expect(await page("?after=99")).toEqual({ ns: [], nextCursor: null });
    expect(await page("")).toEqual({ ns: [1, 2, 3, 4, 5, 6], nextCursor: null });
    expect(await page("?limit=1000")).toEqual({ ns: [1, 2, 3, 4, 5, 6], nextCursor: null });
    // Following the cursors one entry at a time visits every entry once.
    const seen: number[] = [];
    let cursor: string | null = "0";
    while (cursor !== null) {
      const next = await page(`?after=${cursor}&limit=1`, seen.length);
      seen.push(...next.ns);
      cursor = next.nextCursor;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("refuses a bad after or limit (400) and an unknown trial (404) without a log", async () => {
    for (const query of [
      "after=-1",
      "limit=0",
      "limit=1001",
      "after=abc",
      "limit=1.5",
      "after=1e3",
      "limit=",
    ]) {
      const res = await api("GET", `/v1/trials/${trialId}/log?${query}`);
      expect(res.status, query).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
    }
    const unknown = crypto.randomUUID();
    for (const path of [`/v1/trials/${unknown}/log`, `/v1/trials/${unknown}/log/head`]) {
      const res = await api("GET", path);
      expect(res.status, path).toBe(404);
      expect(errorCode(res)).toBe("TRIAL_NOT_FOUND");
    }
    const notAnId = await api("GET", "/v1/trials/not-a-uuid/log");
    expect(notAnId.status).toBe(400);
  });

  it("has no receipt for a member who never applied or was refused, and none for a company", async () => {
    const [, , , , refused] = members as TestUser[];
    const res = await receiptOf(trialId, refused as TestUser, 0);
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("APPLICATION_NOT_FOUND");
    const company = await createUser("COMPANY");
    const forbidden = await receiptOf(trialId, company, 1);
    expect(forbidden.status).toBe(403);
    const anonymous = await api("GET", `/v1/trials/${trialId}/applications/me/receipt`);
    expect(anonymous.status).toBe(401);
  });

  it("a receipt does not verify once its payload is changed", async () => {
    const receipt = answers[1]?.body.receipt as string;
    const [h, p, s] = receipt.split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    const forged = Buffer.from(JSON.stringify({ ...payload, outcome: "WON", entry: 1 }));
    await expect(
      compactVerify(`${h}.${forged.toString("base64url")}.${s}`, await jwks()),
    ).rejects.toThrow();
    expect(decodeProtectedHeader(receipt).alg).toBe("EdDSA");
  });
});
