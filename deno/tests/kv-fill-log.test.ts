import assert from "node:assert/strict";
import { type LogEntry, memberTagOf } from "../../core/fill-log/chain.ts";
import type { Application, GateState } from "../../core/first-come/types.ts";
import type { TrialGate } from "../../core/ports/trial-gate.ts";
import { chainProblems, ledgerProblems } from "../../test/support/shared/fill-log-checks.ts";
import { gateKeys } from "../keys.ts";
import { MUTATIONS_PER_APPLICATION } from "../kv-batch-cost.ts";
import { COMMIT_OVERHEAD } from "../kv-commit-plan.ts";
import { kvTrialGates } from "../kv-gate.ts";
import {
  applyOne,
  createdApplications,
  onCommits,
  openTerms,
  storedLedger,
  tempKv,
} from "./helpers.ts";

/**
 * The public fill log as the Deno KV gate writes it (issue 16, Build item 2): one entry per
 * decision that changes who holds a place, chained, in the decision's own atomic commit.
 */

const members = (n: number) => Array.from({ length: n }, (_, i) => `member-${i}`);

async function wholeLog(gate: TrialGate): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  for (;;) {
    const page = await gate.log(entries.length, 100);
    if (page.length === 0) return entries;
    entries.push(...page);
  }
}

/** The stored log checked whole against the stored ledger. */
async function assertLogMatchesLedger(kv: Deno.Kv, gate: TrialGate, trialId: string) {
  const entries = await wholeLog(gate);
  assert.deepEqual(chainProblems(entries), []);
  assert.deepEqual(ledgerProblems(entries, await storedLedger(kv, trialId)), []);
  return entries;
}

Deno.test("after a 220-member flood: one APPLIED entry per admission in seq order, chained", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = openTerms(100, 50);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    const results = await Promise.all(members(220).map((m) => applyOne(gate, m)));
    assert.equal(createdApplications(results).length, 150);

    const entries = await assertLogMatchesLedger(kv, gate, terms.trialId);
    assert.equal(entries.length, 150);
    assert.ok(entries.every((e) => e.kind === "APPLIED"));
    assert.deepEqual(
      entries.map((e) => e.seq),
      Array.from({ length: 150 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      entries.filter((e) => e.outcome === "WON").map((e) => e.seq),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    // What each member was answered is what was stored, entry included.
    for (const a of createdApplications(results)) {
      assert.deepEqual(a.lastEntry, { n: a.seq, hash: entries[a.seq - 1]?.hash });
    }
    assert.deepEqual((await gate.snapshot())?.log, { n: 150, hash: entries[149]?.hash });
  } finally {
    await close();
  }
});

Deno.test("two isolates applying at once write one gapless chain", async () => {
  const first = await tempKv();
  const second = await Deno.openKv(first.path);
  try {
    const terms = openTerms(30, 20);
    const a = kvTrialGates(first.kv).get(terms.trialId);
    const b = kvTrialGates(second).get(terms.trialId);
    await a.configure(terms);
    await Promise.all(members(220).map((m, i) => applyOne(i % 2 === 0 ? a : b, m)));
    const entries = await assertLogMatchesLedger(first.kv, a, terms.trialId);
    assert.equal(entries.length, 50);
  } finally {
    second.close();
    await first.close();
  }
});

Deno.test("a batch split into several commits chains each from the head the last one wrote", async () => {
  const { kv: raw, close } = await tempKv();
  try {
    let commits = 0;
    const kv = onCommits(raw, () => {
      commits += 1;
    });
    const twoPerCommit = {
      mutations: COMMIT_OVERHEAD.mutations + 2 * MUTATIONS_PER_APPLICATION,
      keyBytes: 1_000_000,
      totalBytes: 10_000_000,
    };
    const terms = openTerms(4, 3);
    const gate = kvTrialGates(kv, { commitLimits: twoPerCommit }).get(terms.trialId);
    await gate.configure(terms);
    const before = commits;
    await gate.applyMany(members(7).map((userId) => ({ userId, note: null })));
    assert.equal(commits - before, 4);
    const entries = await assertLogMatchesLedger(raw, gate, terms.trialId);
    assert.equal(entries.length, 7);
  } finally {
    await close();
  }
});

Deno.test("a withdrawal with promotion appends WITHDRAWN then PROMOTED; a release, RELEASED", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = openTerms(2, 2);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    for (const m of ["a", "b", "c", "d"]) await applyOne(gate, m);
    const [a, b, c, d] = (await storedLedger(kv, terms.trialId)) as Application[];

    const withdrawn = await gate.withdraw("a");
    assert.equal((await gate.release(b?.id as string, "test")).kind, "withdrawn");

    const entries = await assertLogMatchesLedger(kv, gate, terms.trialId);
    assert.deepEqual(
      entries.slice(4).map((e) => [e.kind, e.applicationId, e.outcome]),
      [
        ["WITHDRAWN", a?.id, "CANCELLED"],
        ["PROMOTED", c?.id, "WON"],
        ["RELEASED", b?.id, "CANCELLED"],
        ["PROMOTED", d?.id, "WON"],
      ],
    );
    // The answer carries the entries just written.
    assert.equal(withdrawn.kind, "withdrawn");
    if (withdrawn.kind !== "withdrawn") return;
    assert.deepEqual(withdrawn.application.lastEntry, { n: 5, hash: entries[4]?.hash });
    assert.deepEqual(withdrawn.promoted?.lastEntry, { n: 6, hash: entries[5]?.hash });

    // A member's entries share one tag; another trial gives the same member another tag.
    const aTags = new Set(entries.filter((e) => e.applicationId === a?.id).map((e) => e.memberTag));
    assert.equal(aTags.size, 1);
    assert.equal(new Set(entries.map((e) => e.memberTag)).size, 4);
    const otherTerms = openTerms(2, 2);
    const other = kvTrialGates(kv).get(otherTerms.trialId);
    await other.configure(otherTerms);
    await applyOne(other, "a");
    const [elsewhere] = await other.log(0, 10);
    assert.match(elsewhere?.memberTag ?? "", /^[0-9a-f]{64}$/);
    assert.equal(aTags.has(elsewhere?.memberTag as string), false);
  } finally {
    await close();
  }
});

Deno.test("an unknown trial's log is empty and reading it writes nothing", async () => {
  const { kv, close } = await tempKv();
  try {
    assert.deepEqual(await kvTrialGates(kv).get(crypto.randomUUID()).log(0, 10), []);
    let keys = 0;
    for await (const _ of kv.list({ prefix: [] })) keys += 1;
    assert.equal(keys, 0);
  } finally {
    await close();
  }
});

Deno.test("a state stored before the log starts it empty, with a secret kept from its next commit", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = openTerms(5, 0);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    await applyOne(gate, "old");
    // Rewrite what was stored as it was before the log: no head, no secret, no tags.
    const state = (await kv.get<GateState>(gateKeys.state(terms.trialId))).value as GateState;
    const { log: _log, tagSecret: _secret, ...oldState } = state;
    const [old] = await storedLedger(kv, terms.trialId);
    const { memberTag: _tag, lastEntry: _entry, ...oldApplication } = old as Application;
    await kv
      .atomic()
      .set(gateKeys.state(terms.trialId), oldState)
      .set(gateKeys.application(terms.trialId, oldApplication.id), oldApplication)
      .delete(gateKeys.log(terms.trialId, 1))
      .commit();

    const found = await gate.findApplication("old");
    assert.equal(found?.lastEntry, null);
    assert.match(found?.memberTag ?? "", /^[0-9a-f]{64}$/);
    await applyOne(gate, "new");
    const secret = (await kv.get<GateState>(gateKeys.state(terms.trialId))).value?.tagSecret;
    assert.match(secret ?? "", /^[0-9a-f]{64}$/);
    assert.equal(
      (await gate.findApplication("old"))?.memberTag,
      memberTagOf(secret as string, "old"),
    );
    const entries = await wholeLog(gate);
    assert.deepEqual(
      entries.map((e) => [e.n, e.seq, e.memberTag]),
      [[1, 2, memberTagOf(secret as string, "new")]],
    );
    assert.deepEqual(chainProblems(entries), []);
  } finally {
    await close();
  }
});
