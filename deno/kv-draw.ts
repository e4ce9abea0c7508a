import { recordInLog } from "../core/fill-log/record.ts";
import type { StoredApplication } from "../core/fill-log/stored.ts";
import { draw, drawAt, drawDue, drawSettled, orderingOf } from "../core/first-come/draw.ts";
import { announceStatus, applicationEvent } from "../core/first-come/events.ts";
import type { GateState, Outcome } from "../core/first-come/types.ts";
import { gateKeys } from "./keys.ts";
import { writeDeadline } from "./kv-confirmations.ts";
import { readGateState, withTags } from "./kv-fill-log.ts";
import { commitGateState, stored, waitingKeyOf, writeLogEntries } from "./kv-gate-writes.ts";
import { LOST_RACE } from "./retry.ts";

/**
 * The fairness modes' draw on Deno KV. KV has no alarm: the gate makes an owed draw before
 * any decision or read of the trial (kv-gate.ts), and the minute cron makes it for a trial
 * nobody touches (drawsDue, from an index written at configure).
 */

/**
 * Entrants per commit: each costs at most four writes (its application, its waitlist index,
 * its DRAWN entry, its event) of about 2 KB, so a part stays far inside KV's 1000 mutations
 * and 800 KB per atomic operation.
 */
const DRAW_PART = 100;

/**
 * One part of an owed draw, committed against the state read: "none" when no draw is owed
 * (or the trial is unknown), "settled" when none ever will be (drawSettled), "part" when a
 * part was committed (call again: there may be more), LOST_RACE when another isolate changed
 * the state first.
 */
export async function drawPart(
  kv: Deno.Kv,
  trialId: string,
  afterCommit: ((trialId: string) => void) | undefined,
): Promise<"none" | "settled" | "part" | typeof LOST_RACE> {
  const entry = await readGateState(kv, trialId);
  const state = entry.value;
  const now = Date.now();
  if (state && drawSettled(state, now)) return "settled";
  if (!state || !drawDue(state, now)) return "none";
  const entrants = await pendingApplications(kv, trialId);
  const decision = draw(state, entrants, now, DRAW_PART);
  const logged = recordInLog(
    decision.next,
    decision.drawn.map((application) => ({ kind: "DRAWN" as const, application })),
    now,
  );
  // The status (a draw trial's close, FULL or ENDED) is announced with the last part.
  const { next, events } = logged.next.drawnAt
    ? announceStatus(logged.next, now)
    : { next: logged.next, events: [] };
  const op = kv.atomic();
  for (const application of logged.applications) {
    op.set(gateKeys.application(trialId, application.id), stored(application));
    writeDeadline(op, trialId, null, application);
    if (application.status === "WAITLISTED") {
      op.set(gateKeys.waiting(trialId, waitingKeyOf(application)), application.id);
    }
  }
  writeLogEntries(op, trialId, logged.entries);
  if (next.drawnAt) op.delete(gateKeys.drawDue(trialId));
  const outbox = logged.applications.map((a) => applicationEvent(a.status as Outcome, a));
  const ok = await commitGateState(trialId, entry, next, [...outbox, ...events], op, afterCommit);
  return ok ? "part" : LOST_RACE;
}

/** Every application still PENDING (a draw happens once per trial, so a full list is fine). */
async function pendingApplications(kv: Deno.Kv, trialId: string) {
  const found: StoredApplication[] = [];
  for await (const e of kv.list<StoredApplication>({
    prefix: gateKeys.applicationPrefix(trialId),
  })) {
    if (e.value.status === "PENDING") found.push(e.value);
  }
  return withTags(kv, trialId, found);
}

/** Written with a configure: where the minute cron finds a draw nobody else makes. */
export function drawIndexWrite(op: Deno.AtomicOperation, state: GateState): void {
  const at = drawAt(state);
  if (orderingOf(state) === "strict" || at === null) op.delete(gateKeys.drawDue(state.trialId));
  else op.set(gateKeys.drawDue(state.trialId), at);
}

/** Trials whose draw time has come and whose draw is not yet made (the minute cron's list). */
export async function drawsDue(kv: Deno.Kv, now: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of kv.list<number>({ prefix: gateKeys.drawDuePrefix })) {
    if (e.value <= now) ids.push(String(e.key[e.key.length - 1]));
  }
  return ids;
}
