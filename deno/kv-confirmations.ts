import type { Application } from "../core/first-come/types.ts";
import { gateKeys } from "./keys.ts";
import { findApplicationById } from "./kv-ledger.ts";

/**
 * The confirmation deadlines of a trial's winners on Deno KV (core/first-come/confirmation.ts).
 * KV has no alarm: every commit that gives or takes a deadline keeps two indexes in the same
 * atomic operation, a per-trial one (the truth: one key per waiting winner, in deadline order)
 * and a global hint per trial (at or before its earliest deadline) that the minute cron scans
 * after a restart; a process timer (deadline-timers.ts) releases on time meanwhile.
 */

/** Moves an application's deadline key from what it was to what it is (either may be none). */
export function writeDeadline(
  op: Deno.AtomicOperation,
  trialId: string,
  before: Application | null,
  after: Application,
): void {
  const was = awaiting(before);
  const is = awaiting(after);
  if (was !== null && was !== is) op.delete(gateKeys.confirmBy(trialId, was, after.id));
  if (is !== null && is !== was) {
    op.set(gateKeys.confirmBy(trialId, is, after.id), after.id);
    op.min(gateKeys.confirmDue(trialId), BigInt(is));
  }
}

/** The deadline a WON unconfirmed place waits under, or null. */
function awaiting(a: Application | null): number | null {
  if (a?.status !== "WON" || a.confirmedAt || !a.confirmBy) return null;
  return a.confirmBy;
}

/** The first overdue place (deadline before `now`), or null. */
export async function firstOverdue(
  kv: Deno.Kv,
  trialId: string,
  now: number,
): Promise<{ application: Application | null; key: Deno.KvKey } | null> {
  const iter = kv.list<string>(
    { prefix: gateKeys.confirmByPrefix(trialId), end: [...gateKeys.confirmByPrefix(trialId), now] },
    { limit: 1 },
  );
  for await (const e of iter) {
    return { application: await findApplicationById(kv, trialId, e.value), key: e.key };
  }
  return null;
}

/** The trial's earliest deadline still awaited, or null. */
export async function earliestDeadline(kv: Deno.Kv, trialId: string): Promise<number | null> {
  for await (const e of kv.list<string>(
    { prefix: gateKeys.confirmByPrefix(trialId) },
    { limit: 1 },
  )) {
    return Number(e.key[3]);
  }
  return null;
}

/** Trials whose hint says a deadline passes by `until` (the minute cron's list). */
export async function deadlinesDue(
  kv: Deno.Kv,
  until: number,
): Promise<{ trialId: string; at: number }[]> {
  const due: { trialId: string; at: number }[] = [];
  for await (const e of kv.list<Deno.KvU64>({ prefix: gateKeys.confirmDuePrefix })) {
    const at = Number(e.value.value);
    if (at <= until) due.push({ trialId: String(e.key[1]), at });
  }
  return due;
}
