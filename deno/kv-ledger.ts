import type { StoredApplication, StoredGateState } from "../core/fill-log/stored.ts";
import type { Application, GateState } from "../core/first-come/types.ts";
import { gateKeys } from "./keys.ts";
import { withLogFields, withTags } from "./kv-fill-log.ts";
import { LOST_RACE } from "./retry.ts";

/**
 * Reads of a trial's ledger on Deno KV. Applications are stored without a position: it is a
 * rank among the waiting, computed when read (as the Durable Object does), so one
 * cancellation moves the whole waitlist up without rewriting it.
 */

/** Deno KV reads at most this many keys per getMany. */
const GET_MANY_LIMIT = 10;

export async function findApplicationByUser(
  kv: Deno.Kv,
  trialId: string,
  userId: string,
): Promise<Application | null> {
  const ref = await kv.get<string>(gateKeys.user(trialId, userId));
  return ref.value === null ? null : findApplicationById(kv, trialId, ref.value);
}

export async function findApplicationById(
  kv: Deno.Kv,
  trialId: string,
  applicationId: string,
): Promise<Application | null> {
  const entry = await kv.get<StoredApplication>(gateKeys.application(trialId, applicationId));
  if (entry.value === null) return null;
  const [application] = await withTags(kv, trialId, [entry.value]);
  return withPosition(kv, trialId, application as Application);
}

async function withPosition(
  kv: Deno.Kv,
  trialId: string,
  application: Application,
): Promise<Application> {
  if (application.status !== "WAITLISTED") return { ...application, position: null };
  return { ...application, position: await waitingUpTo(kv, trialId, application.seq) };
}

/**
 * Several members' applications at once, positions computed (members without one are
 * absent): their entries in getMany calls of at most GET_MANY_LIMIT keys, and the waitlist
 * listed once for all of them rather than once per waiting member. Not one moment of the
 * ledger (the live room reads it after a change and reads again after the next one).
 */
export async function findApplicationsByUsers(
  kv: Deno.Kv,
  trialId: string,
  userIds: readonly string[],
): Promise<Map<string, Application>> {
  const groups = chunks([...new Set(userIds)], GET_MANY_LIMIT);
  const refs = await Promise.all(
    groups.map((ids) => kv.getMany<string[]>(ids.map((id) => gateKeys.user(trialId, id)))),
  );
  const ids = refs.flat().flatMap((e) => (e.value === null ? [] : [e.value as string]));
  const applications = await loadApplications(kv, trialId, ids);
  const waiting = applications.some((a) => a.status === "WAITLISTED")
    ? await waitingSeqs(kv, trialId)
    : [];
  const found = new Map<string, Application>();
  for (const a of applications) {
    const position = a.status === "WAITLISTED" ? countUpTo(waiting, a.seq) : null;
    found.set(a.userId, { ...a, position });
  }
  return found;
}

/** The head of the waitlist: the WAITLISTED applicant with the lowest seq. */
export async function firstWaiting(kv: Deno.Kv, trialId: string): Promise<Application | null> {
  for await (const entry of kv.list<string>(
    { prefix: gateKeys.waitingPrefix(trialId) },
    { limit: 1 },
  )) {
    const head = await kv.get<StoredApplication>(gateKeys.application(trialId, entry.value));
    return head.value === null ? null : ((await withTags(kv, trialId, [head.value]))[0] ?? null);
  }
  return null;
}

/** A page of the ledger in seq order, positions computed. */
export async function ledgerPage(
  kv: Deno.Kv,
  trialId: string,
  afterSeq: number,
  limit: number,
): Promise<Application[]> {
  const ids: string[] = [];
  for await (const entry of kv.list<string>(
    { prefix: gateKeys.seqPrefix(trialId), start: gateKeys.seq(trialId, afterSeq + 1) },
    { limit },
  )) {
    ids.push(entry.value);
  }
  const applications = await loadApplications(kv, trialId, ids);
  let waiting = await waitingUpTo(kv, trialId, afterSeq);
  return applications.map((a) => {
    if (a.status !== "WAITLISTED") return { ...a, position: null };
    waiting += 1;
    return { ...a, position: waiting };
  });
}

/** How many WAITLISTED applications have a seq up to and including `seq`. */
async function waitingUpTo(kv: Deno.Kv, trialId: string, seq: number): Promise<number> {
  let count = 0;
  for await (const _ of kv.list({
    prefix: gateKeys.waitingPrefix(trialId),
    end: gateKeys.waiting(trialId, seq + 1),
  })) {
    count += 1;
  }
  return count;
}

/** The seqs of every WAITLISTED application, ascending (the index is kept in seq order). */
async function waitingSeqs(kv: Deno.Kv, trialId: string): Promise<number[]> {
  const seqs: number[] = [];
  for await (const entry of kv.list({ prefix: gateKeys.waitingPrefix(trialId) })) {
    seqs.push(Number(entry.key[entry.key.length - 1]));
  }
  return seqs;
}

/** How many of the ascending `seqs` are at most `seq`: waitingUpTo, from one listing. */
function countUpTo(seqs: readonly number[], seq: number): number {
  let low = 0;
  let high = seqs.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((seqs[mid] as number) <= seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function loadApplications(
  kv: Deno.Kv,
  trialId: string,
  ids: string[],
): Promise<Application[]> {
  const applications: StoredApplication[] = [];
  for (let i = 0; i < ids.length; i += GET_MANY_LIMIT) {
    const keys = ids.slice(i, i + GET_MANY_LIMIT).map((id) => gateKeys.application(trialId, id));
    for (const entry of await kv.getMany<StoredApplication[]>(keys)) {
      if (entry.value !== null) applications.push(entry.value as StoredApplication);
    }
  }
  return withTags(kv, trialId, applications);
}

/**
 * The state and each member's ledger entry, read in parallel getMany calls that each carry
 * the state key too: a member's entry only ever changes in a commit that also writes the
 * state, so if every call saw the same state versionstamp, they all read one moment of the
 * ledger, and the commit's check on that versionstamp covers every member read.
 */
export async function readBatch(
  kv: Deno.Kv,
  trialId: string,
  userIds: string[],
): Promise<
  { entry: Deno.KvEntryMaybe<GateState>; existing: Map<string, Application> } | typeof LOST_RACE
> {
  const stateKey = gateKeys.state(trialId);
  const unique = [...new Set(userIds)];
  const groups: string[][] = [];
  for (let i = 0; i < unique.length; i += GET_MANY_LIMIT - 1) {
    groups.push(unique.slice(i, i + GET_MANY_LIMIT - 1));
  }
  if (groups.length === 0) groups.push([]);
  const reads = await Promise.all(
    groups.map((ids) =>
      kv.getMany<unknown[]>([stateKey, ...ids.map((id) => gateKeys.user(trialId, id))]),
    ),
  );
  const entry = withLogFields(reads[0]?.[0] as Deno.KvEntryMaybe<StoredGateState>);
  if (reads.some((r) => r[0]?.versionstamp !== entry.versionstamp)) return LOST_RACE;
  const refs = reads.flatMap((r) => r.slice(1)).filter((e) => e.value !== null);
  const found = await Promise.all(
    refs.map((e) => findApplicationById(kv, trialId, e.value as string)),
  );
  const existing = new Map<string, Application>();
  for (const application of found) if (application) existing.set(application.userId, application);
  return { entry, existing };
}
