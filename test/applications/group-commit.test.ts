import { describe, expect, it } from "vitest";
import type { ApplyResult } from "../../core/first-come/types";
import type { ApplyRequest, TrialGate } from "../../core/ports/trial-gate";
import { GroupCommit } from "../../workers/services/group-commit";

/** A gate whose applyMany calls wait until the test answers them, one call at a time. */
function manualGate() {
  const calls: { requests: ApplyRequest[]; answer(): void; fail(err: Error): void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let seq = 0;
  const gate = {
    applyMany(requests: readonly ApplyRequest[]) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<ApplyResult[]>((resolve, reject) => {
        calls.push({
          requests: [...requests],
          answer: () => {
            inFlight -= 1;
            resolve(requests.map((r) => created(r.userId, ++seq)));
          },
          fail: (err) => {
            inFlight -= 1;
            reject(err);
          },
        });
      });
    },
  } as unknown as TrialGate;
  return { gate, calls, maxInFlight: () => maxInFlight };
}

function created(userId: string, seq: number): ApplyResult {
  return {
    kind: "created",
    application: {
      id: `app-${seq}`,
      trialId: "t",
      userId,
      seq,
      status: "WON",
      position: null,
      note: null,
      appliedAt: 0,
      decidedAt: 0,
      version: 1,
      memberTag: `tag-${userId}`,
      lastEntry: null,
    },
  };
}

const kept: Promise<unknown>[] = [];
const keepAlive = (p: Promise<unknown>) => void kept.push(p);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const seqOf = (r: { result: ApplyResult }) =>
  r.result.kind === "refused" ? null : r.result.application.seq;

describe("group commit", () => {
  it("sends a lone application at once, without waiting for company", async () => {
    const { gate, calls } = manualGate();
    const pending = new GroupCommit(100).apply(
      () => gate,
      "t",
      { userId: "a", note: null },
      keepAlive,
    );
    expect(calls.map((c) => c.requests.length)).toEqual([1]); // synchronously, no timer
    calls[0]?.answer();
    expect(await pending).toMatchObject({ batchSize: 1, result: { kind: "created" } });
  });

  it("keeps one call in flight per trial and batches arrivals behind it, in arrival order", async () => {
    const { gate, calls, maxInFlight } = manualGate();
    const group = new GroupCommit(100);
    const users = Array.from({ length: 30 }, (_, i) => `m${i}`);
    const answers = users.map((userId) =>
      group.apply(() => gate, "t", { userId, note: null }, keepAlive),
    );
    expect(calls).toHaveLength(1);
    expect(group.pending("t")).toBe(29);
    calls[0]?.answer();
    await tick();
    // Everyone who arrived during the first call goes in the second, oldest first.
    expect(calls).toHaveLength(2);
    expect(calls[1]?.requests.map((r) => r.userId)).toEqual(users.slice(1));
    calls[1]?.answer();
    const results = await Promise.all(answers);
    expect(results.map(seqOf)).toEqual(users.map((_, i) => i + 1));
    expect(results.map((r) => r.batchSize)).toEqual([1, ...users.slice(1).map(() => 29)]);
    expect(maxInFlight()).toBe(1);
    expect(group.pending("t")).toBe(0);
  });

  it("caps a batch and sends the rest in the next call", async () => {
    const { gate, calls } = manualGate();
    const group = new GroupCommit(4);
    const answers = Array.from({ length: 10 }, (_, i) =>
      group.apply(() => gate, "t", { userId: `m${i}`, note: null }, keepAlive),
    );
    for (let i = 0; i < 4; i++) {
      calls[i]?.answer();
      await tick();
    }
    expect(calls.map((c) => c.requests.length)).toEqual([1, 4, 4, 1]);
    expect((await Promise.all(answers)).map(seqOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("fails every request of a failed call, and the next batch still goes", async () => {
    const { gate, calls } = manualGate();
    const group = new GroupCommit(100);
    const first = group.apply(() => gate, "t", { userId: "a", note: null }, keepAlive);
    const second = group.apply(() => gate, "t", { userId: "b", note: null }, keepAlive);
    const third = group.apply(() => gate, "t", { userId: "c", note: null }, keepAlive);
    calls[0]?.fail(new Error("gate reset"));
    await expect(first).rejects.toThrow("gate reset");
    await tick();
    expect(calls[1]?.requests.map((r) => r.userId)).toEqual(["b", "c"]);
    calls[1]?.fail(new Error("gate reset again"));
    await expect(second).rejects.toThrow("gate reset again");
    await expect(third).rejects.toThrow("gate reset again");
    // The lane is free again: a newcomer is sent at once.
    const fourth = group.apply(() => gate, "t", { userId: "d", note: null }, keepAlive);
    expect(calls).toHaveLength(3);
    calls[2]?.answer();
    expect(await fourth).toMatchObject({ batchSize: 1, result: { kind: "created" } });
  });

  it("keeps trials apart: each has its own call in flight", async () => {
    const { gate, calls } = manualGate();
    const group = new GroupCommit(100);
    const a = group.apply(() => gate, "t1", { userId: "a", note: null }, keepAlive);
    const b = group.apply(() => gate, "t2", { userId: "b", note: null }, keepAlive);
    expect(calls).toHaveLength(2);
    for (const c of calls) c.answer();
    await Promise.all([a, b]);
  });

  it("hands every request's part to keepAlive, so a cancelled request still leads", async () => {
    const { gate, calls } = manualGate();
    const group = new GroupCommit(100);
    const held: Promise<unknown>[] = [];
    const a = group.apply(
      () => gate,
      "t",
      { userId: "a", note: null },
      (p) => void held.push(p),
    );
    const b = group.apply(
      () => gate,
      "t",
      { userId: "b", note: null },
      (p) => void held.push(p),
    );
    expect(held).toHaveLength(2);
    calls[0]?.answer();
    await tick();
    calls[1]?.answer();
    await Promise.all([a, b, ...held]);
  });
});
