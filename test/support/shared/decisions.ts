import type { DecisionEvent } from "../../../core/first-come/types";

/**
 * A gate's first decision for a member who took place `seq` (WON, never changed since), as the
 * decisions queue carries it: what the consumer tests and the consumer benchmark feed in.
 */
export function wonDecision(
  trialId: string,
  userId: string,
  seq: number,
  at = Date.now(),
): DecisionEvent {
  return {
    v: 1,
    type: "application",
    eventId: crypto.randomUUID(),
    outcome: "WON",
    application: {
      id: crypto.randomUUID(),
      trialId,
      userId,
      seq,
      status: "WON",
      position: null,
      note: null,
      appliedAt: at,
      decidedAt: at,
      version: 1,
    },
  };
}
