import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type LogEntry, memberTagOf } from "../../core/fill-log/chain";
import type { Application, ApplyResult } from "../../core/first-come/types";
import { chainProblems, ledgerProblems } from "../support/shared/fill-log-checks";
import { gateOf, recordingQueue, setQueue } from "../support/workerd/gate";

/**
 * The public fill log as the Durable Object gate writes it (issue 16, Build item 2): one
 * entry per decision that changes who holds a place, chained, in the decision's own
 * transaction. The HTTP side and the verifier have tests of their own.
 */

const hour = 3_600_000;

/** A gate with no catalog row; its events go nowhere (nothing reaches Postgres). */
async function openGate(slots: number, waitlistSize: number) {
  const trialId = crypto.randomUUID();
  const gate = gateOf(trialId);
  const now = Date.now();
  await gate.configure({ trialId, slots, waitlistSize, opensAt: now - 1000, closesAt: now + hour });
  await setQueue(trialId, recordingQueue([]));
  return { trialId, gate };
}

type Gate = ReturnType<typeof gateOf>;

async function wholeLog(gate: Gate): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  for (;;) {
    const page = await gate.log(entries.length, 100);
    if (page.length === 0) return entries;
    entries.push(...page);
  }
}

async function wholeLedger(gate: Gate): Promise<Application[]> {
  const apps: Application[] = [];
  for (;;) {
    const page = await gate.ledger(apps.at(-1)?.seq ?? 0, 100);
    if (page.length === 0) return apps;
    apps.push(...page);
  }
}

/** 220 members at once, each in a call of their own, as the flood contract test sends them. */
async function flood(gate: Gate, members = 220): Promise<ApplyResult[]> {
  return Promise.all(
    Array.from({ length: members }, (_, i) => gate.applyMany([{ userId: `m${i}`, note: null }])),
  ).then((r) => r.flat());
}

const created = (results: ApplyResult[]) =>
  results.flatMap((r) => (r.kind === "created" ? [r.application] : []));

describe("the Durable Object gate's public fill log", () => {
  it("after a 220-member flood: one APPLIED entry per admission in seq order, chained", async () => {
    const { gate } = await openGate(100, 50);
    const results = await flood(gate);
    expect(created(results)).toHaveLength(150);

    const entries = await wholeLog(gate);
    const ledger = await wholeLedger(gate);
    expect(ledger).toHaveLength(150);
    expect(entries.map((e) => e.kind)).toEqual(Array(150).fill("APPLIED"));
    expect(entries.map((e) => e.seq)).toEqual(ledger.map((a) => a.seq));
    expect(entries.map((e) => e.applicationId)).toEqual(ledger.map((a) => a.id));
    expect(entries.filter((e) => e.outcome === "WON").map((e) => e.seq)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    expect(chainProblems(entries)).toEqual([]);
    expect(ledgerProblems(entries, ledger)).toEqual([]);
    // What each member was answered is what was stored, entry included.
    for (const a of created(results)) {
      expect(a.lastEntry).toEqual({ n: a.seq, hash: entries[a.seq - 1]?.hash });
    }
    expect((await gate.snapshot())?.log).toEqual({ n: 150, hash: entries[149]?.hash });
  });

  it("a withdrawal with promotion appends WITHDRAWN then PROMOTED; a release, RELEASED", async () => {
    const { gate } = await openGate(2, 2);
    await flood(gate, 4);
    const ledger = await wholeLedger(gate);
    const [first, second, third, fourth] = ledger as [Application, ...Application[]];

    const withdrawn = await gate.withdraw(first.userId);
    expect(withdrawn).toMatchObject({ kind: "withdrawn" });
    const released = await gate.release(second!.id, "test");
    expect(released).toMatchObject({ kind: "withdrawn" });

    const entries = await wholeLog(gate);
    expect(entries.slice(4).map((e) => [e.kind, e.applicationId, e.outcome])).toEqual([
      ["WITHDRAWN", first.id, "CANCELLED"],
      ["PROMOTED", third!.id, "WON"],
      ["RELEASED", second!.id, "CANCELLED"],
      ["PROMOTED", fourth!.id, "WON"],
    ]);
    expect(chainProblems(entries)).toEqual([]);
    expect(ledgerProblems(entries, await wholeLedger(gate))).toEqual([]);
    // The answers carry the entries just written.
    if (withdrawn.kind !== "withdrawn") throw new Error("not withdrawn");
    expect(withdrawn.application.lastEntry).toEqual({ n: 5, hash: entries[4]?.hash });
    expect(withdrawn.promoted?.lastEntry).toEqual({ n: 6, hash: entries[5]?.hash });

    // A member's entries share one tag; another trial gives the same member another tag.
    const firstTags = new Set(
      entries.filter((e) => e.applicationId === first.id).map((e) => e.memberTag),
    );
    expect(firstTags.size).toBe(1);
    expect(new Set(entries.map((e) => e.memberTag)).size).toBe(4);
    const other = await openGate(2, 2);
    await other.gate.applyMany([{ userId: first.userId, note: null }]);
    const [elsewhere] = await other.gate.log(0, 10);
    expect(elsewhere?.memberTag).toMatch(/^[0-9a-f]{64}$/);
    expect(firstTags.has(elsewhere?.memberTag as string)).toBe(false);
  });

  it("a decision whose log entry cannot be written is not taken at all", async () => {
    const { trialId, gate } = await openGate(5, 0);
    await gate.applyMany([{ userId: "first", note: null }]);
    // Entry 2's place is taken behind the gate's back: writing it must fail, and with it
    // the application, its outbox row and the counters of the same transaction.
    await runInDurableObject(gate, (_g, state) => {
      state.storage.sql.exec(
        `INSERT INTO fill_log (n, kind, seq, application_id, member_tag, outcome, at, prev_hash, hash)
         VALUES (2, 'APPLIED', 0, 'x', 'x', 'WON', 0, 'x', 'x')`,
      );
    });
    await gate.flushOutbox();
    expect(await gate.pendingOutbox()).toBe(0);
    const outcome = await runInDurableObject(gate, async (instance) => {
      try {
        await instance.applyMany([{ userId: "second", note: null }]);
        return "stored";
      } catch (err) {
        return String(err);
      }
    });
    expect(outcome).toMatch(/UNIQUE constraint failed: fill_log\.n/);
    expect(await gate.findApplication("second")).toBeNull();
    expect(await gate.snapshot()).toMatchObject({ applicants: 1, won: 1, log: { n: 1 } });
    expect(await gate.pendingOutbox()).toBe(0);

    await runInDurableObject(gate, (_g, state) => {
      state.storage.sql.exec("DELETE FROM fill_log WHERE n = 2");
    });
    const [second] = await gateOf(trialId).applyMany([{ userId: "second", note: null }]);
    expect(second).toMatchObject({ kind: "created", application: { seq: 2 } });
    const entries = await wholeLog(gate);
    expect(chainProblems(entries)).toEqual([]);
    expect(ledgerProblems(entries, await wholeLedger(gate))).toEqual([]);
  });

  it("answers [] for a trial nobody configured, and stores nothing", async () => {
    const gate = gateOf(crypto.randomUUID());
    expect(await gate.log(0, 10)).toEqual([]);
    // Looking wakes the object and writes nothing (as in gate-unknown-trial.test.ts).
    const stored = await runInDurableObject(gate, async (_g, state) => ({
      tables: state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray(),
      entries: (await state.storage.list()).size,
    }));
    expect(stored).toEqual({ tables: [], entries: 0 });
  });

  it("a gate stored before the log starts it empty, with a secret kept from its next commit", async () => {
    const { trialId, gate } = await openGate(5, 0);
    await gate.applyMany([{ userId: "old", note: null }]);
    // As schema v4 left it: no log, no secret, no tags (the columns exist, empty).
    await runInDurableObject(gate, (_g, state) => {
      state.storage.sql.exec("DELETE FROM fill_log");
      state.storage.sql.exec("UPDATE gate SET log_n = 0, log_hash = NULL, tag_secret = NULL");
      state.storage.sql.exec(
        "UPDATE applications SET member_tag = NULL, last_entry_n = NULL, last_entry_hash = NULL",
      );
    });
    await expect(
      runInDurableObject(gate, (_g, state) => state.abort("reload from storage")),
    ).rejects.toThrow();

    const reloaded = gateOf(trialId);
    expect(await reloaded.findApplication("old")).toMatchObject({ lastEntry: null });
    await reloaded.applyMany([{ userId: "new", note: null }]);
    const secret = await runInDurableObject(
      reloaded,
      (_g, state) =>
        state.storage.sql.exec<{ s: string }>("SELECT tag_secret AS s FROM gate").one().s,
    );
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const old = await reloaded.findApplication("old");
    expect(old).toMatchObject({ memberTag: memberTagOf(secret, "old"), lastEntry: null });
    const entries = await wholeLog(reloaded);
    expect(entries.map((e) => [e.n, e.seq, e.memberTag])).toEqual([
      [1, 2, memberTagOf(secret, "new")],
    ]);
    expect(chainProblems(entries)).toEqual([]);
  });
});
