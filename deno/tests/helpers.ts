import type { Application, ApplyResult, TrialTerms } from "../../core/first-come/types.ts";
import type { TrialGate } from "../../core/ports/trial-gate.ts";
import { gateKeys } from "../keys.ts";

/** A fresh KV file in a temp dir, removed by `close`. */
export async function tempKv(): Promise<{ kv: Deno.Kv; path: string; close: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "kv-gate-" });
  const path = `${dir}/gate.sqlite3`;
  const kv = await Deno.openKv(path);
  return {
    kv,
    path,
    close: async () => {
      kv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

export function openTerms(slots: number, waitlistSize: number): TrialTerms {
  const now = Date.now();
  return {
    trialId: crypto.randomUUID(),
    slots,
    waitlistSize,
    opensAt: now - 1_000,
    closesAt: now + 3_600_000,
  };
}

/** Every application in the KV ledger, in seq order. */
export async function storedLedger(kv: Deno.Kv, trialId: string): Promise<Application[]> {
  const all: Application[] = [];
  for await (const entry of kv.list<Application>({ prefix: ["trial", trialId, "app"] })) {
    all.push(entry.value);
  }
  return all.sort((a, b) => a.seq - b.seq);
}

export async function countOutbox(kv: Deno.Kv, trialId: string): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: gateKeys.outboxPrefix(trialId) })) n += 1;
  return n;
}

export function createdApplications(results: ApplyResult[]): Application[] {
  return results.flatMap((r) => (r.kind === "created" ? [r.application] : []));
}

/** One application alone (the one-at-a-time path): a batch of one. */
export async function applyOne(
  gate: TrialGate,
  userId: string,
  note: string | null = null,
): Promise<ApplyResult> {
  const [result] = await gate.applyMany([{ userId, note }]);
  if (!result) throw new Error("the gate answered no result");
  return result;
}

/** The KV store with `afterCommit` called after each atomic commit returns (tests watch them). */
export function onCommits(
  kv: Deno.Kv,
  afterCommit: (result: Deno.KvCommitResult | Deno.KvCommitError) => void,
): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop !== "atomic") {
        const value = Reflect.get(target, prop);
        // Bound: Deno.Kv's methods use private fields and refuse a proxy as `this`.
        return typeof value === "function" ? value.bind(target) : value;
      }
      return () => {
        const op = target.atomic();
        const commit = op.commit.bind(op);
        op.commit = async () => {
          const result = await commit();
          afterCommit(result);
          return result;
        };
        return op;
      };
    },
  });
}
