import assert from "node:assert/strict";
import type { ApplyResult } from "../../core/first-come/types.ts";
import { chainProblems, ledgerProblems } from "../../test/support/shared/fill-log-checks.ts";
import { GroupCommit } from "../../workers/services/group-commit.ts";
import { distantKv } from "../distant-kv.ts";
import { gateKeys } from "../keys.ts";
import { MUTATIONS_PER_APPLICATION } from "../kv-batch-cost.ts";
import { COMMIT_OVERHEAD, type CommitLimits } from "../kv-commit-plan.ts";
import { kvTrialGates } from "../kv-gate.ts";
import { applyOne, countOutbox, onCommits, openTerms, storedLedger, tempKv } from "./helpers.ts";

const req = (userId: string, note: string | null = null) => ({ userId, note });
const summary = (r: ApplyResult | undefined) =>
  !r || r.kind === "refused"
    ? r?.code
    : `${r.kind}:${r.application.userId}:${r.application.seq}:${r.application.status}`;

/** The KV store with its atomic commits counted (a batch split in several shows here). */
function countingCommits(kv: Deno.Kv) {
  const counted = { commits: 0, failed: 0 };
  const wrapped = onCommits(kv, (result) => {
    if (result.ok) counted.commits += 1;
    else counted.failed += 1;
  });
  return { kv: wrapped, counted };
}

async function statusEvents(kv: Deno.Kv, trialId: string) {
  const out: string[] = [];
  for await (const e of kv.list<{ type: string; closedReason: string }>({
    prefix: gateKeys.outboxPrefix(trialId),
  })) {
    if (e.value.type === "trial-status") out.push(e.value.closedReason);
  }
  return out;
}

Deno.test("a batch mixes new members, repeats (one twice in the batch) and refusals", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = openTerms(2, 1);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    assert.equal(summary(await applyOne(gate, "old")), "created:old:1:WON");

    const results = await gate.applyMany(["a", "old", "b", "a", "late", "old"].map((u) => req(u)));
    assert.deepEqual(results.map(summary), [
      "created:a:2:WON",
      "existing:old:1:WON",
      "created:b:3:WAITLISTED",
      "existing:a:2:WON",
      "TRIAL_CLOSED",
      "existing:old:1:WON",
    ]);
    const snapshot = await gate.snapshot();
    assert.deepEqual(
      [snapshot?.won, snapshot?.waitlisted, snapshot?.applicants, snapshot?.rejected],
      [2, 1, 3, 1],
    );
    assert.deepEqual(
      (await storedLedger(kv, terms.trialId)).map((a) => a.userId),
      ["old", "a", "b"],
    );
    assert.equal((await gate.findApplication("b"))?.position, 1);
  } finally {
    await close();
  }
});

Deno.test("a batch straddling the last place and the last waitlist place; FULL announced once", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = openTerms(3, 2);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    await gate.applyMany([req("first"), req("second")]);
    const results = await gate.applyMany(["p", "q", "r", "s", "t"].map((u) => req(u)));
    assert.deepEqual(results.map(summary), [
      "created:p:3:WON",
      "created:q:4:WAITLISTED",
      "created:r:5:WAITLISTED",
      "TRIAL_CLOSED",
      "TRIAL_CLOSED",
    ]);
    const snapshot = await gate.snapshot();
    assert.equal(snapshot?.closedReason, "FULL");
    assert.equal(snapshot?.rejected, 2);
    assert.deepEqual(await statusEvents(kv, terms.trialId), ["FULL"]);
    assert.equal(await countOutbox(kv, terms.trialId), 5 + 1);
  } finally {
    await close();
  }
});

Deno.test("a batch past one commit's limits is split into several all-or-nothing commits", async () => {
  const { kv: raw, close } = await tempKv();
  try {
    const { kv, counted } = countingCommits(raw);
    const twoPerCommit: CommitLimits = {
      mutations: COMMIT_OVERHEAD.mutations + 2 * MUTATIONS_PER_APPLICATION,
      keyBytes: 1_000_000,
      totalBytes: 10_000_000,
    };
    const terms = openTerms(4, 2);
    const gate = kvTrialGates(kv, { commitLimits: twoPerCommit }).get(terms.trialId);
    await gate.configure(terms);
    const before = counted.commits;
    const users = ["a", "b", "c", "d", "e", "f", "g"];
    const results = await gate.applyMany(users.map((u) => req(u)));
    assert.deepEqual(results.map(summary), [
      "created:a:1:WON",
      "created:b:2:WON",
      "created:c:3:WON",
      "created:d:4:WON",
      "created:e:5:WAITLISTED",
      "created:f:6:WAITLISTED",
      "TRIAL_CLOSED",
    ]);
    // Three commits of two applications, then one for the refusal (the counted demand).
    assert.equal(counted.commits - before, 4);
    assert.deepEqual(await statusEvents(raw, terms.trialId), ["FULL"]);

    // At KV's real limits: 400 newcomers (6 mutations each, 2,400 in all) in one call.
    const big = openTerms(300, 100);
    const bigGate = kvTrialGates(kv).get(big.trialId);
    await bigGate.configure(big);
    const start = counted.commits;
    const many = Array.from({ length: 400 }, (_, i) => req(`m${i}`, "가".repeat(500)));
    const bigResults = await bigGate.applyMany(many);
    assert.ok(bigResults.every((r) => r.kind === "created"));
    assert.ok(counted.commits - start >= 2, `${counted.commits - start} commits`);
    const ledger = await storedLedger(raw, big.trialId);
    assert.deepEqual(
      ledger.map((a) => a.seq),
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
    assert.equal(ledger.filter((a) => a.status === "WON").length, 300);
  } finally {
    await close();
  }
});

Deno.test("a gate that dies in the middle of a batch loses nothing and answered nobody", async () => {
  const { kv, path, close } = await tempKv();
  try {
    const terms = openTerms(3, 3);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    const users = ["m0", "m1", "m2", "m3", "m4", "m5", "m6"];
    const child = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        new URL("./crash-mid-batch.ts", import.meta.url).pathname,
        path,
        terms.trialId,
        ...users,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.equal(child.code, 137);
    assert.equal(new TextDecoder().decode(child.stdout).trim(), "", "nobody was answered");

    // What it stored is the first two commits, whole: four applications and their events.
    const kept = await storedLedger(kv, terms.trialId);
    assert.deepEqual(
      kept.map((a) => [a.userId, a.seq]),
      [
        ["m0", 1],
        ["m1", 2],
        ["m2", 3],
        ["m3", 4],
      ],
    );
    assert.equal(await countOutbox(kv, terms.trialId), 4);
    assert.equal((await gate.snapshot())?.applicants, 4);
    // Its log is those commits' entries, whole: each stored application has its entry and
    // each entry its application, chained (the entries are in the decisions' own commits).
    const logged = await gate.log(0, 100);
    assert.deepEqual(chainProblems(logged), []);
    assert.deepEqual(ledgerProblems(logged, kept), []);
    assert.equal(logged.length, 4);

    // The members retry: those stored get their application back, the rest are decided next.
    const retry = await gate.applyMany(users.map((u) => req(u)));
    assert.deepEqual(retry.map(summary), [
      "existing:m0:1:WON",
      "existing:m1:2:WON",
      "existing:m2:3:WON",
      "existing:m3:4:WAITLISTED",
      "created:m4:5:WAITLISTED",
      "created:m5:6:WAITLISTED",
      "TRIAL_CLOSED",
    ]);
    // The survivors chain from the head the dead process wrote.
    const after = await gate.log(0, 100);
    assert.deepEqual(chainProblems(after), []);
    assert.deepEqual(ledgerProblems(after, await storedLedger(kv, terms.trialId)), []);
    assert.equal(after.length, 6);
  } finally {
    await close();
  }
});

Deno.test("group commit on KV keeps arrival order inside one isolate", async () => {
  const { kv: raw, close } = await tempKv();
  try {
    const { kv, counted } = countingCommits(raw);
    const terms = openTerms(50, 50);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    const group = new GroupCommit(256);
    const before = counted.commits;
    const members = Array.from({ length: 120 }, (_, i) => `member-${i}`);
    const kept: Promise<unknown>[] = [];
    const answers = await Promise.all(
      members.map((m) =>
        group.apply(
          () => gate,
          terms.trialId,
          req(m),
          (p) => void kept.push(p),
        ),
      ),
    );
    await Promise.all(kept);
    const seqs = answers.map((a) => (a.result.kind === "refused" ? -1 : a.result.application.seq));
    assert.deepEqual(
      seqs.slice(0, 100),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    assert.ok(answers.slice(100).every((a) => a.result.kind === "refused"));
    // The lone first application went alone; everyone else rode in a few shared commits.
    assert.equal(answers[0]?.batchSize, 1);
    assert.ok(counted.commits - before <= 4, `${counted.commits - before} commits`);
  } finally {
    await close();
  }
});

Deno.test("a simulated distance makes every KV read and commit of a decision pay a round trip", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = openTerms(5, 5);
    const near = kvTrialGates(kv).get(terms.trialId);
    await near.configure(terms);
    const far = kvTrialGates(distantKv(kv, 60)).get(terms.trialId);
    const started = performance.now();
    const [result] = await far.applyMany([req("far-away")]);
    const elapsed = performance.now() - started;
    assert.equal(result?.kind, "created");
    // One read (state and member, together) and one commit: two round trips at least.
    assert.ok(elapsed >= 2 * 60 - 1, `${elapsed} ms`);
    // The distance changes timing only: the decision is the same one, stored once.
    assert.equal((await near.findApplication("far-away"))?.seq, 1);
  } finally {
    await close();
  }
});
