import type { StoredApplication, StoredGateState } from "../core/fill-log/stored.ts";
import type { Application, GateState } from "../core/first-come/types.ts";
import { gateKeys } from "./keys.ts";
import { withLogFields, withTags } from "./kv-fill-log.ts";
import { waitingKeyOf } from "./kv-gate-writes.ts";
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
  // Everyone ahead in the waiting index (kept in the waitlist's order), and the member.
  let ahead = 0;
  for await (const _ of kv.list({
    prefix: gateKeys.waitingPrefix(trialId),
    end: gateKeys.waiting(trialId, waitingKeyOf(application)),
  })) {
    ahead += 1;
  }
  return { ...application, position: ahead + 1 };
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
  const places = await waitlistPlaces(kv, trialId, applications);
  const found = new Map<string, Application>();
  for (const a of applications) found.set(a.userId, { ...a, position: places.get(a.id) ?? null });
  return found;
}

/** The head of the waitlist: the first key of the waiting index (waitingKeyOf). */
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
  const places = await waitlistPlaces(kv, trialId, applications);
  return applications.map((a) => ({ ...a, position: places.get(a.id) ?? null }));
}

/**
 * The waitlist places of those of `applications` that wait, from one listing of the waiting
 * index (which KV keeps in the waitlist's order: drawn members by rank key, a string, ahead
 * of every seq, a number); none listed when nobody among them waits.
 */
async function waitlistPlaces(
  kv: Deno.Kv,
  trialId: string,
  applications: readonly Application[],
): Promise<Map<string, number>> {
  const places = new Map<string, number>();
  if (!applications.some((a) => a.status === "WAITLISTED")) return places;
  let place = 0;
  for await (const entry of kv.list<string>({ prefix: gateKeys.waitingPrefix(trialId) })) {
    place += 1;
    places.set(entry.value, place);
  }
  return places;
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
