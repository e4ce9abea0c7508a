import type { LogEntry } from "../core/fill-log/chain.ts";
import type { Application, GateEvent, GateState } from "../core/first-come/types.ts";
import { gateKeys } from "./keys.ts";

/**
 * Writes of a trial's gate on Deno KV: every decision commits the state (with the fill log's
 * head), its applications' entries, its public fill log entries and its outbox events in one
 * atomic operation.
 */

export type StateEntry = Deno.KvEntryMaybe<GateState>;

/** Positions are derived when read, never stored as truth. */
export function stored(application: Application): Application {
  return { ...application, position: null };
}

/** An admitted application, its member's entry and its place in the ledger's indexes. */
export function writeApplication(
  op: Deno.AtomicOperation,
  trialId: string,
  application: Application,
): void {
  op.set(gateKeys.application(trialId, application.id), stored(application))
    .set(gateKeys.user(trialId, application.userId), application.id)
    .set(gateKeys.seq(trialId, application.seq), application.id);
  if (application.status === "WAITLISTED") {
    op.set(gateKeys.waiting(trialId, waitingKeyOf(application)), application.id);
  }
}

/**
 * Where a waiting application sits in the waiting index, whose key order is the waitlist's
 * order: a drawn member by its rank key (a string: KV orders strings before numbers, so
 * every drawn member waits ahead of later arrivals, in rank order), anyone else by seq.
 */
export function waitingKeyOf(application: Pick<Application, "seq" | "drawRank">): string | number {
  return application.drawRank ?? application.seq;
}

/** A decision's entries of the public fill log, in the decision's own commit. */
export function writeLogEntries(
  op: Deno.AtomicOperation,
  trialId: string,
  entries: readonly LogEntry[],
): void {
  for (const entry of entries) op.set(gateKeys.log(trialId, entry.n), entry);
}

/**
 * Commits `next` only if the state is still the one read (null versionstamp: still absent),
 * together with the decision's other writes (`op`) and its outbox events. Answers the new
 * versionstamp, or null when another isolate decided first.
 */
export async function commitGateState(
  trialId: string,
  read: StateEntry,
  next: GateState,
  events: GateEvent[],
  op: Deno.AtomicOperation,
  afterCommit: ((trialId: string) => void) | undefined,
): Promise<string | null> {
  op.check(read).set(gateKeys.state(trialId), next);
  const at = Date.now();
  const commitId = crypto.randomUUID();
  events.forEach((event, index) => {
    op.set(gateKeys.outbox(trialId, at, commitId, index), event);
  });
  const result = await op.commit();
  if (result.ok && events.length > 0) afterCommit?.(trialId);
  return result.ok ? result.versionstamp : null;
}
