import { statusAnnouncement } from "./decide";
import type {
  Application,
  ConfirmationEvent,
  DecisionEvent,
  GateEvent,
  GateState,
  Outcome,
  SealedValue,
} from "./types";

/**
 * The events a gate puts in its outbox, built the same way by every gate implementation
 * (Durable Object, Deno KV), so consumers never see two dialects.
 */

export function applicationEvent(outcome: Outcome, application: Application): DecisionEvent {
  return {
    v: 1,
    type: "application",
    eventId: crypto.randomUUID(),
    outcome,
    application: decided(application),
  };
}

/** A winner's confirmation, with the address sealed before it reached the gate. */
export function confirmationEvent(
  application: Application,
  address: SealedValue,
): ConfirmationEvent {
  return {
    v: 1,
    type: "confirmation",
    eventId: crypto.randomUUID(),
    application: decided(application),
    address,
  };
}

function decided(application: Application): DecisionEvent["application"] {
  const { memberTag: _tag, lastEntry: _entry, ...rest } = application;
  return rest;
}

/**
 * The outcome a ledger row stands for, read from the row alone: reconciliation restores
 * rows, not events, and a restored row must be announced as the event that carried it would
 * have been (same kind, so one notification per (application, outcome) still holds). Every
 * change the gate makes raises the version by one, and a draw by two (draw.ts): so a WON row
 * with an even version was promoted from the waitlist (WAITLISTED v1 → WON v2; drawn
 * WAITLISTED v3 → WON v4), an odd one is a first decision (v1, or drawn at v3); WAITLISTED
 * is always a first decision; CANCELLED is the member's (or compensation's) withdrawal.
 * TRIAL_CANCELLED changes no row, so no row stands for it.
 */
export function outcomeOfRow(application: Application): Outcome {
  if (application.status === "WON") return application.version % 2 === 0 ? "PROMOTED" : "WON";
  return application.status;
}

/**
 * The state with its status announcement: when the status by the clock differs from the last
 * one announced, the next state (announcement recorded) and the event to commit with it.
 */
export function announceStatus(
  state: GateState,
  now: number,
): { next: GateState; events: GateEvent[] } {
  const change = statusAnnouncement(state, now);
  if (!change) return { next: state, events: [] };
  return {
    next: change.next,
    events: [
      {
        v: 1,
        type: "trial-status",
        eventId: crypto.randomUUID(),
        trialId: state.trialId,
        status: change.status,
        closedReason: change.closedReason,
        version: change.version,
        at: now,
      },
    ],
  };
}
