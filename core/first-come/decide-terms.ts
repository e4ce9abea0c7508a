import { newGateState, statusAnnouncement, trialStatus } from "./decide";
import { newSeed, orderingOf } from "./draw";
import type { GateState, Refused, TrialTerms } from "./types";

/**
 * The organiser's decisions on a trial's terms: setting them, and cancelling the trial.
 * Pure, like decide.ts: both runtimes' gates commit what these answer.
 */

export type CancelDecision =
  | { kind: "cancelled"; next: GateState }
  | { kind: "already-cancelled" }
  | Refused<"TRIAL_CLOSED">;

/**
 * A SCHEDULED or OPEN trial can be cancelled, and so can one that filled up before its end
 * (CLOSED/FULL with closesAt ahead); a trial that has ended is history.
 */
export function decideCancellation(state: GateState, now: number): CancelDecision {
  if (state.cancelledAt !== null) return { kind: "already-cancelled" };
  if (now >= state.closesAt) return { kind: "refused", code: "TRIAL_CLOSED" };
  return { kind: "cancelled", next: { ...state, cancelledAt: now } };
}

/** New terms are accepted only while the trial is SCHEDULED by the gate's own clock. */
function canChangeTerms(state: GateState, now: number): boolean {
  return trialStatus(state, now).status === "SCHEDULED";
}

function sameTerms(a: TrialTerms, b: TrialTerms): boolean {
  return (
    a.trialId === b.trialId &&
    a.slots === b.slots &&
    a.waitlistSize === b.waitlistSize &&
    a.opensAt === b.opensAt &&
    a.closesAt === b.closesAt &&
    orderingOf(a) === orderingOf(b) &&
    (a.shuffleSeconds ?? null) === (b.shuffleSeconds ?? null) &&
    (a.confirmWithinMinutes ?? null) === (b.confirmWithinMinutes ?? null)
  );
}

export type ConfigureDecision =
  | { kind: "unchanged"; state: GateState }
  | Refused<"TRIAL_ALREADY_OPEN">
  | { kind: "configured"; next: GateState };

/**
 * Set a gate's terms: new, or changed while still SCHEDULED (so nobody has applied);
 * the same terms again change nothing. The creator writes the initial status to Postgres
 * itself, so it is recorded as announced without an event.
 */
export function configureTerms(
  current: GateState | null,
  terms: TrialTerms,
  now: number,
): ConfigureDecision {
  if (current) {
    if (sameTerms(current, terms)) return { kind: "unchanged", state: current };
    if (!canChangeTerms(current, now)) return { kind: "refused", code: "TRIAL_ALREADY_OPEN" };
  }
  const next: GateState = current ? { ...current, ...terms } : newGateState(terms);
  // The seed is the gate's own, made once: its commitment is published from creation on.
  if (orderingOf(next) !== "strict" && !next.seed) next.seed = newSeed();
  return { kind: "configured", next: statusAnnouncement(next, now)?.next ?? next };
}
