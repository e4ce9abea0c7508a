import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import type { LogEntry } from "../../core/fill-log/chain.ts";
import type { TrialGate } from "../../core/ports/trial-gate.ts";
import { chainProblems } from "../../test/support/shared/fill-log-checks.ts";
import { gateKeys } from "../keys.ts";
import { drawsDue } from "../kv-draw.ts";
import { kvTrialGates } from "../kv-gate.ts";
import { createdApplications, openTerms, storedLedger, tempKv } from "./helpers.ts";

/**
 * The fairness modes' draw on Deno KV (kv-draw.ts): more entrants than one commit holds are
 * drawn in parts, ranked exactly as one whole draw; the minute cron finds an owed draw that
 * nobody touched; a decision after the window draws first.
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

const until = (at: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, at - Date.now()) + 20));

Deno.test("a draw of 250 entrants, in parts, ranks them as API.md says; the cron finds it", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = { ...openTerms(10, 40), ordering: "shuffle-at-open" as const, shuffleSeconds: 2 };
    const trialGate = kvTrialGates(kv).get(terms.trialId);
    const configured = await trialGate.configure(terms);
    assert.equal(configured.kind, "configured");
    const windowEnd = terms.opensAt + 2_000;
    const created = createdApplications(
      await trialGate.applyMany(members(250).map((userId) => ({ userId, note: null }))),
    );
    assert.equal(created.length, 250);
    assert.ok(created.every((a) => a.status === "PENDING"));
    assert.deepEqual(await drawsDue(kv, Date.now()), []);

    await until(windowEnd);
    // Nobody touched the trial: the minute cron's list names it.
    assert.deepEqual(await drawsDue(kv, Date.now()), [terms.trialId]);
    const snapshot = await trialGate.snapshot();
    assert.ok(snapshot?.seed);
    assert.deepEqual(await drawsDue(kv, Date.now()), []);

    const log = await wholeLog(trialGate);
    assert.deepEqual(chainProblems(log), []);
    const drawn = log.filter((e) => e.kind === "DRAWN");
    assert.equal(drawn.length, 250);
    const logHash = log[249]?.hash as string;
    const key = (id: string) =>
      createHmac("sha256", snapshot.seed + logHash)
        .update(id)
        .digest("hex");
    const ranked = created.map((a) => a.id).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    assert.deepEqual(
      drawn.map((e) => e.applicationId),
      ranked,
    );
    assert.deepEqual(
      drawn.map((e) => e.outcome),
      ranked.map((_, i) => (i < 10 ? "WON" : i < 50 ? "WAITLISTED" : "NOT_SELECTED")),
    );
    const ledger = await storedLedger(kv, terms.trialId);
    assert.equal(ledger.filter((a) => a.status === "WON").length, 10);
    assert.equal(ledger.filter((a) => a.status === "WAITLISTED").length, 40);
    assert.equal(snapshot.won, 10);
    assert.equal(snapshot.waitlisted, 40);

    // The drawn waitlist is served in rank order, across the draw's parts: positions from the
    // ledger (reconciliation) and from a member's own read, and the promotion after a winner
    // leaves.
    const userOf = new Map(created.map((a) => [a.id, a.userId]));
    const waitingInRank = ranked.slice(10, 50);
    const page = await trialGate.ledger(0, 1000);
    assert.deepEqual(
      waitingInRank.map((id) => page.find((a) => a.id === id)?.position),
      waitingInRank.map((_, i) => i + 1),
    );
    const own = await trialGate.findApplication(userOf.get(waitingInRank[7] as string) as string);
    assert.equal(own?.position, 8);
    const left = await trialGate.withdraw(userOf.get(ranked[0] as string) as string);
    assert.equal(left.kind === "withdrawn" && left.promoted?.id, waitingInRank[0]);
    const next = await trialGate.findApplication(userOf.get(waitingInRank[1] as string) as string);
    assert.equal(next?.position, 1);
  } finally {
    await close();
  }
});

Deno.test("a decision after the window draws first, then decides strictly", async () => {
  const { kv, close } = await tempKv();
  try {
    const terms = { ...openTerms(2, 1), ordering: "shuffle-at-open" as const, shuffleSeconds: 2 };
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    await gate.applyMany([{ userId: "early", note: null }]);
    await until(terms.opensAt + 2_000);
    const [late] = await gate.applyMany([{ userId: "late", note: null }]);
    assert.equal(late?.kind, "created");
    const log = await wholeLog(gate);
    assert.deepEqual(
      log.map((e) => [e.kind, e.outcome]),
      [
        ["APPLIED", "PENDING"],
        ["DRAWN", "WON"],
        ["APPLIED", "WON"],
      ],
    );
  } finally {
    await close();
  }
});

Deno.test("an isolate that knew a trial as strict still draws when its ordering changed behind it", async () => {
  // A strict, open trial is remembered as never owing a draw, so its hot path skips that
  // read. Should another isolate (its clock behind) have made it a shuffle meanwhile, the
  // owed draw is still made before the next decision, never decided around.
  const { kv, close } = await tempKv();
  try {
    const terms = openTerms(2, 1);
    const gate = kvTrialGates(kv).get(terms.trialId);
    await gate.configure(terms);
    const [first] = await gate.applyMany([{ userId: "first", note: null }]);
    assert.equal(first?.kind, "created");

    const key = gateKeys.state(terms.trialId);
    const stored = (await kv.get<Record<string, unknown>>(key)).value;
    const seed = "ab".repeat(32);
    await kv.set(key, { ...stored, ordering: "shuffle-at-open", shuffleSeconds: 1, seed });

    const [late] = await gate.applyMany([{ userId: "late", note: null }]);
    assert.equal(late?.kind, "created");
    const snapshot = await gate.snapshot();
    assert.equal(snapshot?.seed, seed, "the draw was made: its seed is revealed");
    assert.deepEqual(
      (await wholeLog(gate)).map((e) => [e.kind, e.outcome]),
      [
        ["APPLIED", "WON"],
        ["APPLIED", "WON"],
      ],
    );
  } finally {
    await close();
  }
});
