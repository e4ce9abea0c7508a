import { statusAnnouncement } from "./decide";
import type { Application, GateEvent, GateState, Outcome } from "./types";

/**
 * The events a gate puts in its outbox, built the same way by every gate implementation
 * (Durable Object, Deno KV), so consumers never see two dialects.
 */

export function applicationEvent(outcome: Outcome, application: Application): GateEvent {
  return { v: 1, type: "application", eventId: crypto.randomUUID(), outcome, application };
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
