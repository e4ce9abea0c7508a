import type { LogEntry } from "../core/fill-log/chain.ts";
import {
  applicationWithTag,
  gateStateWithLog,
  type StoredApplication,
  type StoredGateState,
} from "../core/fill-log/stored.ts";
import type { Application, GateState } from "../core/first-come/types.ts";
import { gateKeys } from "./keys.ts";

/**
 * Reads of a trial's public fill log on Deno KV, and of what was stored before it existed
 * (core/fill-log/stored.ts completes it). The log's entries are written by the gate's
 * commits (kv-gate-writes.ts), never anywhere else.
 */

/**
 * The gate's state as stored, completed for one written before the public fill log (an
 * empty log and a fresh tag secret, which its next commit stores).
 */
export async function readGateState(
  kv: Deno.Kv,
  trialId: string,
): Promise<Deno.KvEntryMaybe<GateState>> {
  return withLogFields(await kv.get<StoredGateState>(gateKeys.state(trialId)));
}

export function withLogFields(
  entry: Deno.KvEntryMaybe<StoredGateState>,
): Deno.KvEntryMaybe<GateState> {
  if (entry.value === null) return entry as Deno.KvEntryMaybe<GateState>;
  return { ...entry, value: gateStateWithLog(entry.value) } as Deno.KvEntryMaybe<GateState>;
}

/**
 * Applications as stored, completed for those written before the public fill log: their
 * member's tag under the trial's secret. Only then is the state read (new ones carry it).
 */
export async function withTags(
  kv: Deno.Kv,
  trialId: string,
  stored: readonly StoredApplication[],
): Promise<Application[]> {
  if (stored.every((a) => a.memberTag && a.lastEntry !== undefined)) {
    return stored as Application[];
  }
  const state = await readGateState(kv, trialId);
  const secret = state.value?.tagSecret ?? "";
  return stored.map((a) => applicationWithTag(a, secret));
}

/** The public fill log from entry `afterN + 1`, at most `limit` entries, in order. */
export async function logPage(
  kv: Deno.Kv,
  trialId: string,
  afterN: number,
  limit: number,
): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  for await (const entry of kv.list<LogEntry>(
    { prefix: gateKeys.logPrefix(trialId), start: gateKeys.log(trialId, afterN + 1) },
    { limit },
  )) {
    entries.push(entry.value);
  }
  return entries;
}
