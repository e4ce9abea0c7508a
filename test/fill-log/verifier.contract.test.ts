import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { fetchMaterial } from "../../clients/verifier/fetch-material";
import type { Material } from "../../clients/verifier/material";
import { verifyTrial } from "../../clients/verifier/verify";
import { type ApiResponse, api, baseUrls } from "../support/contract/client";
import { createTrial, createUser, createUsers, type TestUser } from "../support/contract/fixtures";

/**
 * The verifier (clients/verifier/, npm run verify) against a real trial on the target: 220
 * members flood 30 places and 20 waitlist places at once (on Deno, across both server
 * processes), a winner withdraws so the waitlist's head is promoted, a waitlisted member
 * withdraws; then the verifier, fetching only public routes, passes the trial and the
 * members' receipts, and fails the same real material once it is tampered with.
 */
const run = promisify(execFile);
const SLOTS = 30;
const WAITLIST = 20;
const server = (i: number) => i % baseUrls.length;
const base = (i: number) => baseUrls[server(i)] as string;

const apply = (trialId: string, m: TestUser, i: number) =>
  api("POST", `/v1/trials/${trialId}/applications`, {
    token: m.token,
    body: {},
    server: server(i),
  });
const withdraw = (trialId: string, m: TestUser, i: number) =>
  api("DELETE", `/v1/trials/${trialId}/applications/me`, { token: m.token, server: server(i) });
const receiptOf = async (trialId: string, m: TestUser, i: number): Promise<string> => {
  const res = await api("GET", `/v1/trials/${trialId}/applications/me/receipt`, {
    token: m.token,
    server: server(i),
  });
  expect(res.status).toBe(200);
  return res.body.receipt;
};

describe("verifier: a real trial of 220 members", () => {
  let trialId: string;
  let promoted: TestUser;
  let leaver: TestUser;
  let applied: { member: TestUser; answer: ApiResponse }[];
  /** The signed head read after the flood, before anyone withdrew. */
  let headBefore: string;

  beforeAll(async () => {
    const company = await createUser("COMPANY");
    trialId = (await createTrial(company, { slots: SLOTS, waitlistSize: WAITLIST })).id;
    const members = await createUsers("MEMBER", 220);
    const answers = await Promise.all(members.map((m, i) => apply(trialId, m, i)));
    applied = members
      .map((member, i) => ({ member, answer: answers[i] as ApiResponse }))
      .filter(({ answer }) => answer.status === 201)
      .sort((a, b) => a.answer.body.seq - b.answer.body.seq);
    expect(applied).toHaveLength(SLOTS + WAITLIST);

    const head = await api("GET", `/v1/trials/${trialId}/log/head`);
    expect(head.status).toBe(200);
    headBefore = head.body.head;

    // The first winner withdraws: the waitlist's head (seq 31) is promoted. Then the member
    // at seq 40 leaves the waitlist.
    const first = applied[0] as (typeof applied)[number];
    expect((await withdraw(trialId, first.member, 1)).status).toBe(200);
    promoted = (applied[SLOTS] as (typeof applied)[number]).member;
    leaver = (applied[39] as (typeof applied)[number]).member;
    expect((await withdraw(trialId, leaver, 0)).status).toBe(200);
  }, 120_000);

  it("passes every check from each server, with the replayed counts and the promoted member's receipt", async () => {
    const receipt = await receiptOf(trialId, promoted, 0);
    const heads: { n: number; hash: string }[] = [];
    for (const [i] of baseUrls.entries()) {
      const verdict = await verifyTrial(await fetchMaterial(base(i), trialId, receipt));
      expect(verdict.failures).toEqual([]);
      expect(verdict.summary.tally).toEqual({
        arrivals: SLOTS + WAITLIST,
        won: SLOTS,
        waitlisted: WAITLIST - 2,
        cancelled: 2,
        promoted: 1,
      });
      expect(verdict.summary.receipt).toMatchObject({
        outcome: "WON",
        latest: { kind: "PROMOTED", outcome: "WON" },
      });
      const head = verdict.summary.head;
      expect(head).toMatchObject({ trialId, n: SLOTS + WAITLIST + 3 });
      heads.push({ n: head?.n ?? 0, hash: head?.hash ?? "" });
    }
    // Every server signs the same head: one log.
    expect(new Set(heads.map((h) => `${h.n}:${h.hash}`)).size).toBe(1);
  });

  it("passes the receipts the apply answers carried, including one whose place was later given up", async () => {
    for (const answer of [0, 5, 39, 49].map((i) => applied[i]?.answer)) {
      const receipt = answer?.body.receipt as string;
      const verdict = await verifyTrial(await fetchMaterial(base(0), trialId, receipt));
      expect(verdict.failures).toEqual([]);
      expect(verdict.summary.receipt?.entry).toBe(answer?.body.seq);
    }
    const leaverNow = await receiptOf(trialId, leaver, 1);
    const verdict = await verifyTrial(await fetchMaterial(base(1), trialId, leaverNow));
    expect(verdict.summary.receipt).toMatchObject({
      outcome: "CANCELLED",
      latest: { kind: "WITHDRAWN" },
    });
  });

  it("fails the real material tampered: an edited entry, a removed entry, swapped entries, a forged receipt, a log cut short of its head", async () => {
    const real = await fetchMaterial(base(0), trialId, await receiptOf(trialId, promoted, 0));
    const first = async (m: Material) => (await verifyTrial(m)).firstFailure;
    const edited = real.entries.map((e) => (e.n === 12 ? { ...e, outcome: "WAITLISTED" } : e));
    expect(await first({ ...real, entries: edited })).toMatchObject({ check: "hashes", entry: 12 });
    const removed = real.entries.filter((e) => e.n !== 20);
    expect(await first({ ...real, entries: removed })).toMatchObject({
      check: "numbering",
      entry: 21,
    });
    const swapped = [...real.entries];
    [swapped[2], swapped[3]] = [swapped[3], swapped[2]] as [
      Material["entries"][number],
      Material["entries"][number],
    ];
    expect((await first({ ...real, entries: swapped }))?.check).toBe("numbering");
    const [h, p, s] = (real.receipt as string).split(".");
    const claims = JSON.parse(Buffer.from(p as string, "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, seq: 1 })).toString("base64url")}.${s}`;
    expect((await first({ ...real, receipt: forged }))?.check).toBe("receipt-signature");
    const cut = real.entries.slice(0, -1);
    expect(await first({ ...real, entries: cut })).toMatchObject({ check: "head" });
    // The head read before the withdrawals is still in the log: it only grew since.
    const since = await verifyTrial({ ...real, knownHeads: [headBefore] });
    expect(since.failures).toEqual([]);
    expect(since.skipped.history).toBeUndefined();
  });

  it("npm run verify exits 0 on it", async () => {
    const receipt = await receiptOf(trialId, promoted, 0);
    const { stdout } = await run(
      "npx",
      ["tsx", "scripts/verify.ts", "--base", base(0), "--trial", trialId, "--receipt", receipt],
      { timeout: 60_000 },
    );
    expect(stdout.trim().split("\n").at(-1)).toBe("PASSED: every check");
  });
});
