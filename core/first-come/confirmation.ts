import type { Application, ConfirmResult, GateState } from "./types";

/**
 * The winner's confirmation window (API.md "After the win"). Under `confirmWithinMinutes` a
 * WON place must be confirmed by `confirmBy`, counted from the moment it was won: a first
 * decision, a draw or a promotion, so a promotion near the trial's end still gets its full
 * window. Past the deadline the gate releases the place on its own clock (its alarm on
 * Cloudflare, a timer and the minute cron on Deno) and the head of the waitlist is promoted.
 * Pure, like decide.ts: both gates commit what these answer.
 */

const MINUTE_MS = 60_000;

/**
 * A confirmation raises the version by two, not one: the parity of a WON row's version tells
 * a first decision (odd) from a promotion (even) when reconciliation restores it
 * (events.ts outcomeOfRow), and confirming is neither.
 */
const CONFIRMATION_VERSION_STEP = 2;

function windowMs(state: Pick<GateState, "confirmWithinMinutes">): number | null {
  return state.confirmWithinMinutes ? state.confirmWithinMinutes * MINUTE_MS : null;
}

/**
 * The application as it must be stored after a decision: a WON place gets its deadline when it
 * is won (now), once; anything else keeps none.
 */
export function withConfirmWindow(
  state: Pick<GateState, "confirmWithinMinutes">,
  application: Application,
  now: number,
): Application {
  if (application.status !== "WON") {
    return application.confirmBy ? { ...application, confirmBy: null } : application;
  }
  const ms = windowMs(state);
  if (ms === null || application.confirmBy || application.confirmedAt) return application;
  return { ...application, confirmBy: now + ms };
}

/** Whether the winner can still confirm: at the deadline itself yes, a millisecond after no. */
function pastDeadline(application: Application, now: number): boolean {
  return application.confirmBy != null && now > application.confirmBy;
}

export type ConfirmDecision = ConfirmResult;

/**
 * The winner confirms (the address travels sealed beside this, in the gate's event). Only a
 * WON place of a trial not cancelled, not yet confirmed, and not past its deadline.
 */
export function decideConfirmation(
  state: GateState,
  application: Application | null,
  now: number,
): ConfirmDecision {
  if (!application) return { kind: "refused", code: "APPLICATION_NOT_FOUND" };
  if (application.status === "WAITLISTED" || application.status === "PENDING") {
    return { kind: "refused", code: "NOT_A_WINNER" };
  }
  // A place lost (withdrawn, released, not confirmed) or never won in a draw.
  if (application.status !== "WON") return { kind: "refused", code: "CONFIRMATION_CLOSED" };
  if (application.confirmedAt) return { kind: "refused", code: "ALREADY_CONFIRMED" };
  if (state.cancelledAt !== null || pastDeadline(application, now)) {
    return { kind: "refused", code: "CONFIRMATION_CLOSED" };
  }
  return {
    kind: "confirmed",
    application: {
      ...application,
      confirmedAt: now,
      confirmBy: null,
      version: application.version + CONFIRMATION_VERSION_STEP,
    },
  };
}

/** A WON place whose deadline has passed unconfirmed: the gate must release it now. */
export function isOverdue(application: Application, now: number): boolean {
  return application.status === "WON" && !application.confirmedAt && pastDeadline(application, now);
}

/** When the gate must wake for a deadline: the first millisecond past it. */
export function releaseAt(confirmBy: number): number {
  return confirmBy + 1;
}
