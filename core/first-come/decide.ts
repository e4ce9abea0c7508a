import { EMPTY_LOG, memberTagOf, newTrialSecret } from "../fill-log/chain";
import { withConfirmWindow } from "./confirmation";
import { drawAt, drawDue, inDrawWindow, orderingOf, seedCommitmentOf } from "./draw";
import type {
  Application,
  ClosedReason,
  GateSnapshot,
  GateState,
  RefusalCode,
  Refused,
  TrialStatus,
  TrialTerms,
} from "./types";

/**
 * The pure first-come decision. Storage adapters (the Durable Object on Workers, Deno KV
 * on Deno) load a GateState, call these functions, and commit the result atomically;
 * they never decide anything themselves, so both runtimes decide identically.
 */

/**
 * A new trial's state. Its member-tag secret is random; a caller that needs a known one
 * (a test) passes it.
 */
export function newGateState(terms: TrialTerms, tagSecret = newTrialSecret()): GateState {
  return {
    ...terms,
    nextSeq: 1,
    won: 0,
    waitlisted: 0,
    rejected: 0,
    cancelled: 0,
    promoted: 0,
    cancelledAt: null,
    filledAt: null,
    announcedStatus: null,
    announcedReason: null,
    statusVersion: 0,
    log: EMPTY_LOG,
    tagSecret,
  };
}

function capacity(state: TrialTerms): number {
  return state.slots + state.waitlistSize;
}

function isFull(state: GateState): boolean {
  return state.won + state.waitlisted >= capacity(state);
}

/** Status by the trial's own clock and state: nothing outside the gate has to tick. */
export function trialStatus(
  state: GateState,
  now: number,
): { status: TrialStatus; closedReason: ClosedReason | null } {
  if (state.cancelledAt !== null) return { status: "CANCELLED", closedReason: null };
  if (now < state.opensAt) return { status: "SCHEDULED", closedReason: null };
  // A trial that filled up stays FULL even after its end time: that is how it closed.
  if (isFull(state)) return { status: "CLOSED", closedReason: "FULL" };
  if (now >= state.closesAt) return { status: "CLOSED", closedReason: "ENDED" };
  return { status: "OPEN", closedReason: null };
}

export function snapshotOf(state: GateState, now: number): GateSnapshot {
  const { status, closedReason } = trialStatus(state, now);
  return {
    trialId: state.trialId,
    status,
    closedReason,
    slots: state.slots,
    waitlistSize: state.waitlistSize,
    won: state.won,
    waitlisted: state.waitlisted,
    remaining: Math.max(0, state.slots - state.won),
    applicants: state.nextSeq - 1,
    rejected: state.rejected,
    cancelled: state.cancelled,
    promoted: state.promoted,
    opensAt: state.opensAt,
    closesAt: state.closesAt,
    filledAt: state.filledAt,
    statusVersion: state.statusVersion,
    log: state.log,
    ordering: orderingOf(state),
    shuffleSeconds: orderingOf(state) === "shuffle-at-open" ? (state.shuffleSeconds ?? null) : null,
    confirmWithinMinutes: state.confirmWithinMinutes ?? null,
    seedCommitment:
      orderingOf(state) !== "strict" && state.seed ? seedCommitmentOf(state.seed) : null,
    // The seed stays secret until the draw: knowing it earlier would let anyone rank ids.
    seed: state.drawnAt && state.seed ? state.seed : null,
  };
}

export interface AdmitRequest {
  userId: string;
  note: string | null;
  now: number;
  /** Supplied by the caller so this function stays pure. */
  applicationId: string;
}

export type AdmitDecision =
  | { kind: "admitted"; application: Application; next: GateState }
  | (Refused<Exclude<RefusalCode, "TRIAL_NOT_FOUND">> & { next: GateState });

/**
 * Decide a new applicant (the caller has already checked that this user has no
 * application: a repeat returns the existing one and never reaches this function).
 */
export function admit(state: GateState, req: AdmitRequest): AdmitDecision {
  const { status } = trialStatus(state, req.now);
  switch (status) {
    case "CANCELLED":
      return { kind: "refused", code: "TRIAL_CANCELLED", next: state };
    case "SCHEDULED":
      return { kind: "refused", code: "TRIAL_NOT_OPEN", next: state };
    case "CLOSED":
      // Demand that arrived after the last place was taken is counted; demand after the
      // end time is not (the trial was simply over).
      return {
        kind: "refused",
        code: "TRIAL_CLOSED",
        next: isFull(state) ? { ...state, rejected: state.rejected + 1 } : state,
      };
    case "OPEN":
      break;
  }
  // Deciding strictly while a draw is owed would let a late arrival overtake the entrants.
  if (drawDue(state, req.now)) throw new Error(`trial ${state.trialId}: draw before admitting`);
  if (inDrawWindow(state, req.now)) return admitPending(state, req);

  const wins = state.won < state.slots;
  const next: GateState = {
    ...state,
    nextSeq: state.nextSeq + 1,
    won: wins ? state.won + 1 : state.won,
    waitlisted: wins ? state.waitlisted : state.waitlisted + 1,
  };
  if (isFull(next)) next.filledAt = req.now;

  const application: Application = {
    id: req.applicationId,
    trialId: state.trialId,
    userId: req.userId,
    seq: state.nextSeq,
    status: wins ? "WON" : "WAITLISTED",
    position: wins ? null : next.waitlisted,
    note: req.note,
    appliedAt: req.now,
    decidedAt: req.now,
    version: 1,
    memberTag: memberTagOf(state.tagSecret, req.userId),
    lastEntry: null,
  };
  return { kind: "admitted", application: withConfirmWindow(state, application, req.now), next };
}

/** Inside the draw window: any number wait for their rank; seq keeps arrival order. */
function admitPending(state: GateState, req: AdmitRequest): AdmitDecision {
  const application: Application = {
    id: req.applicationId,
    trialId: state.trialId,
    userId: req.userId,
    seq: state.nextSeq,
    status: "PENDING",
    position: null,
    note: req.note,
    appliedAt: req.now,
    decidedAt: req.now,
    version: 1,
    memberTag: memberTagOf(state.tagSecret, req.userId),
    lastEntry: null,
  };
  const next = { ...state, nextSeq: state.nextSeq + 1, pending: (state.pending ?? 0) + 1 };
  return { kind: "admitted", application, next };
}

/** What every newcomer is told now, if it is a refusal that lasts (see closedNotice). */
export function newcomerRefusal(
  state: GateState,
  now: number,
): "TRIAL_CLOSED" | "TRIAL_CANCELLED" | null {
  const { status } = trialStatus(state, now);
  if (status === "CANCELLED") return "TRIAL_CANCELLED";
  return status === "CLOSED" ? "TRIAL_CLOSED" : null;
}

/**
 * Attempts the Workers refused on their own from a closed-trial notice (the post-fill fast
 * path, workers/services/closed-trials.ts), counted as admit counts its own refusals: as
 * rejected demand only while the trial is full.
 */
export function countRejected(state: GateState, attempts: number, now: number): GateState {
  if (!Number.isInteger(attempts) || attempts <= 0) return state;
  const { status } = trialStatus(state, now);
  return status === "CLOSED" && isFull(state)
    ? { ...state, rejected: state.rejected + attempts }
    : state;
}

/**
 * The status change to announce, if the status by the clock differs from the last one
 * announced. The caller commits `next` and the event in one transaction.
 */
export function statusAnnouncement(
  state: GateState,
  now: number,
): {
  next: GateState;
  status: TrialStatus;
  closedReason: ClosedReason | null;
  version: number;
} | null {
  const { status, closedReason } = trialStatus(state, now);
  if (status === state.announcedStatus && closedReason === state.announcedReason) return null;
  const version = state.statusVersion + 1;
  return {
    next: {
      ...state,
      announcedStatus: status,
      announcedReason: closedReason,
      statusVersion: version,
    },
    status,
    closedReason,
    version,
  };
}

/** When the status will next change by the clock alone (FULL and CANCELLED are not timed). */
export function nextTransitionAt(state: GateState, now: number): number | null {
  if (state.cancelledAt !== null) return null;
  if (now < state.opensAt) return state.opensAt;
  // An owed draw is the next thing to do, now if its time has passed.
  const draw = drawAt(state);
  if (draw !== null && !state.drawnAt) return Math.max(draw, now);
  if (now < state.closesAt && !isFull(state)) return state.closesAt;
  return null;
}
