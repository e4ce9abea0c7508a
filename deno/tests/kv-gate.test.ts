import assert from "node:assert/strict";
import { mightHaveApplied } from "../../core/first-come/applicant-filter.ts";
import type { Application, ApplyResult } from "../../core/first-come/types.ts";
import { kvTrialGates } from "../kv-gate.ts";
import {
  applyOne,
  countOutbox,
  createdApplications,
  openTerms,
  storedLedger,
  tempKv,
} from "./helpers.ts";

const members = (n: number, prefix = "member") =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** The invariants of a 30 + 20 trial after any flood of distinct members. */
async function assertFirstCome(kv: Deno.Kv, trialId: string, results: ApplyResult[]) {
  const created = createdApplications(results);
  assert.equal(created.filter((a) => a.status === "WON").length, 30);
  assert.equal(created.filter((a) => a.status === "WAITLISTED").length, 20);
  assert.deepEqual(
    created.map((a) => a.seq).sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i + 1),
  );
  const refused = results.filter((r) => r.kind === "refused");
  assert.equal(refused.length, results.length - 50);
  assert.ok(refused.every((r) => r.kind === "refused" && r.code === "TRIAL_CLOSED"));

  const ledger = await storedLedger(kv, trialId);
  assert.deepEqual(
    ledger.map((a) => a.seq),
    Array.from({ length: 50 }, (_, i) => i + 1),
  );
  assert.equal(new Set(ledger.map((a) => a.userId)).size, 50);
  // First come, first served: the WON places are exactly the first 30 seqs.
  assert.ok(ledger.every((a) => (a.seq <= 30 ? a.status === "WON" : a.status === "WAITLISTED")));
}

Deno.test("a flood of 220 members takes exactly 30 WON and 20 WAITLISTED places", async () => {
  const { kv, close } = await tempKv();
  try {
    const gates = kvTrialGates(kv);
    const terms = openTerms(30, 20);
    const gate = gates.get(terms.trialId);
    await gate.configure(terms);

    const results = await Promise.all(members(220).map((m) => applyOne(gate, m)));
    await assertFirstCome(kv, terms.trialId, results);

    const waiting = createdApplications(results)
      .filter((a) => a.status === "WAITLISTED")
      .sort((a, b) => a.seq - b.seq);
    assert.deepEqual(
      waiting.map((a) => a.position),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const ledger = await gate.ledger(0, 100);
    assert.deepEqual(
      ledger.filter((a) => a.status === "WAITLISTED").map((a) => a.position),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );

    const snapshot = await gate.snapshot();
    assert.equal(snapshot?.status, "CLOSED");
    assert.equal(snapshot?.closedReason, "FULL");
    assert.equal(snapshot?.won, 30);
    assert.equal(snapshot?.waitlisted, 20);
    assert.equal(snapshot?.rejected, 170);
    // One event per admitted application, plus the FULL announcement, committed with them.
    assert.equal(await countOutbox(kv, terms.trialId), 51);
  } finally {
    await close();
  }
});

Deno.test("20 concurrent repeats by one member make one application", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = openTerms(30, 20);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);

    const results = await Promise.all(Array.from({ length: 20 }, () => applyOne(gate, "one")));
    const created = createdApplications(results);
    assert.equal(created.length, 1);
    const id = created[0]?.id;
    assert.ok(results.every((r) => r.kind !== "refused" && r.application.id === id));
    assert.equal((await storedLedger(kv, terms.trialId)).length, 1);
    assert.equal((await gate.snapshot())?.applicants, 1);
  } finally {
    await close();
  }
});

Deno.test("withdrawing a WON place promotes the first waitlisted member", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = openTerms(2, 3);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    for (const m of ["a", "b", "c", "d", "e"]) await applyOne(gate, m);

    const result = await gate.withdraw("a");
    assert.equal(result.kind, "withdrawn");
    if (result.kind !== "withdrawn") return;
    assert.equal(result.application.status, "CANCELLED");
    assert.equal(result.promoted?.userId, "c");
    assert.equal(result.promoted?.status, "WON");

    // Everyone behind moved up: d is now first in line, e second.
    assert.equal((await gate.findApplication("d"))?.position, 1);
    assert.equal((await gate.findApplication("e"))?.position, 2);
    const snapshot = await gate.snapshot();
    assert.equal(snapshot?.won, 2);
    assert.equal(snapshot?.waitlisted, 2);
    assert.equal(snapshot?.promoted, 1);

    // A repeat withdrawal changes nothing; a released waitlisted place just disappears.
    assert.equal((await gate.withdraw("a")).kind, "unchanged");
    const d = (await gate.findApplication("d")) as Application;
    assert.equal((await gate.release(d.id, "test")).kind, "withdrawn");
    assert.equal((await gate.findApplication("e"))?.position, 1);
    assert.equal((await gate.withdraw("nobody")).kind, "refused");
  } finally {
    await close();
  }
});

Deno.test("two isolates (separate serializers and handles) never share a seq", async () => {
  const first = await tempKv();
  const second = await Deno.openKv(first.path);
  try {
    const terms = openTerms(30, 20);
    const a = kvTrialGates(first.kv).get(terms.trialId);
    const b = kvTrialGates(second).get(terms.trialId);
    await a.configure(terms);
    const results = await Promise.all(members(220).map((m, i) => applyOne(i % 2 === 0 ? a : b, m)));
    await assertFirstCome(first.kv, terms.trialId, results);
  } finally {
    second.close();
    await first.close();
  }
});

Deno.test("two Deno processes sharing one KV file keep the first-come invariants", async () => {
  const { kv, path, close } = await tempKv();
  try {
    const terms = openTerms(30, 20);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);

    const everyone = members(240);
    const theirs = everyone.filter((_, i) => i % 2 === 1);
    const ours = everyone.filter((_, i) => i % 2 === 0);
    // Both processes start at the same instant, well after the child has booted.
    const startAt = Date.now() + 1_500;
    const childRun = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        new URL("./apply-worker.ts", import.meta.url).pathname,
        path,
        terms.trialId,
        String(startAt),
        ...theirs,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
    const startedAt = Date.now();
    const ourResults = await Promise.all(ours.map((m) => applyOne(gate, m)));
    const finishedAt = Date.now();
    const output = await childRun;
    assert.equal(output.code, 0);
    const fromChild = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      results: ApplyResult[];
      startedAt: number;
      finishedAt: number;
    };
    assert.equal(fromChild.results.length, theirs.length);
    // The two floods overlapped in time: each process applied while the other did.
    assert.ok(fromChild.startedAt < finishedAt && startedAt < fromChild.finishedAt);

    await assertFirstCome(kv, terms.trialId, [...ourResults, ...fromChild.results]);
  } finally {
    await close();
  }
});

Deno.test("a full trial's closed notice covers every applicant; countRejected counts refused demand", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = openTerms(2, 1);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    assert.equal(await gate.closedNotice(), null); // open: a newcomer may still get a place
    const applicants = members(3, "holder");
    for (const userId of applicants) await applyOne(gate, userId);
    const notice = await gate.closedNotice();
    assert.ok(notice);
    assert.equal(notice.code, "TRIAL_CLOSED");
    assert.ok(applicants.every((userId) => mightHaveApplied(notice.filter, userId)));
    assert.ok(members(50, "newcomer").filter((u) => mightHaveApplied(notice.filter, u)).length < 5);

    await gate.countRejected(4);
    await applyOne(gate, "one-more"); // refused by the gate itself: counted too
    assert.equal((await gate.snapshot())?.rejected, 5);
  } finally {
    await close();
  }
});
