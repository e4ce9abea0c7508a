import { isOverdue, withConfirmWindow } from "./confirmation";
import type { Application, CancelledReason, GateState, Refused } from "./types";

export type WithdrawDecision =
  | {
      kind: "withdrawn";
      next: GateState;
      cancelled: Application;
      /** The first WAITLISTED applicant, now WON, when a WON place was given up. */
      promoted: Application | null;
    }
  | { kind: "unchanged" }
  | Refused<"TRIAL_CLOSED" | "TRIAL_CANCELLED">;

/** Why a place is given up while the trial runs: by its member, or by compensation. */
type WithdrawReason = Extract<CancelledReason, "WITHDRAWN" | "RELEASED">;

/**
 * Give up a place (the member cancels, or the consumer compensates for an application that
 * can never be persisted) while the trial runs. A WON place goes to the first WAITLISTED
 * applicant, so the number of WON never changes while someone waits; with nobody waiting it
 * frees a place and a FULL trial reopens (before its end). A waitlisted place simply
 * disappears: everyone behind moves up, since positions are ranks among the waiting.
 */
export function withdraw(
  state: GateState,
  application: Application,
  firstWaiting: Application | null,
  now: number,
  reason: WithdrawReason = "WITHDRAWN",
): WithdrawDecision {
  // NOT_SELECTED holds nothing to give up.
  if (application.status === "CANCELLED" || application.status === "NOT_SELECTED") {
    return { kind: "unchanged" };
  }
  if (state.cancelledAt !== null) return { kind: "refused", code: "TRIAL_CANCELLED" };
  if (now >= state.closesAt) return { kind: "refused", code: "TRIAL_CLOSED" };
  return giveUpPlace(state, application, firstWaiting, now, reason);
}

/**
 * A winner who did not confirm by `confirmBy` loses the place (NOT_CONFIRMED), even after the
 * trial's end: the deadline belongs to the place, not to the trial's schedule. The head of the
 * waitlist is promoted with a window of its own. Unchanged when nothing is overdue (confirmed
 * in time, already released by another caller) or the trial was cancelled.
 */
export function releaseUnconfirmed(
  state: GateState,
  application: Application,
  firstWaiting: Application | null,
  now: number,
): WithdrawDecision {
  if (state.cancelledAt !== null || !isOverdue(application, now)) return { kind: "unchanged" };
  return giveUpPlace(state, application, firstWaiting, now, "NOT_CONFIRMED");
}

function giveUpPlace(
  state: GateState,
  application: Application,
  firstWaiting: Application | null,
  now: number,
  reason: CancelledReason,
): WithdrawDecision {
  const cancelled: Application = {
    ...application,
    status: "CANCELLED",
    position: null,
    decidedAt: now,
    version: application.version + 1,
    confirmBy: null,
    cancelledReason: reason,
  };
  if (application.status === "PENDING") {
    // It holds no place yet: it simply leaves the draw.
    return {
      kind: "withdrawn",
      next: { ...state, pending: (state.pending ?? 0) - 1, cancelled: state.cancelled + 1 },
      cancelled,
      promoted: null,
    };
  }
  if (application.status === "WAITLISTED") {
    return {
      kind: "withdrawn",
      next: { ...state, waitlisted: state.waitlisted - 1, cancelled: state.cancelled + 1 },
      cancelled,
      promoted: null,
    };
  }
  if (firstWaiting) {
    const promoted = withConfirmWindow(
      state,
      {
        ...firstWaiting,
        status: "WON",
        position: null,
        decidedAt: now,
        version: firstWaiting.version + 1,
      },
      now,
    );
    return {
      kind: "withdrawn",
      next: {
        ...state,
        waitlisted: state.waitlisted - 1,
        cancelled: state.cancelled + 1,
        promoted: state.promoted + 1,
      },
      cancelled,
      promoted,
    };
  }
  return {
    kind: "withdrawn",
    next: { ...state, won: state.won - 1, cancelled: state.cancelled + 1 },
    cancelled,
    promoted: null,
  };
}
