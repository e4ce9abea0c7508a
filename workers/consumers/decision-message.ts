import * as v from "valibot";
import type { DecisionEvent } from "../../core/first-come/types";

/** Queue messages are input like any other: validated before anything is written. */
const Millis = v.pipe(v.number(), v.integer(), v.minValue(0));

export const DecisionEventSchema = v.object({
  v: v.literal(1),
  eventId: v.pipe(v.string(), v.uuid()),
  outcome: v.picklist(["WON", "WAITLISTED"]),
  application: v.object({
    id: v.pipe(v.string(), v.uuid()),
    trialId: v.pipe(v.string(), v.uuid()),
    userId: v.pipe(v.string(), v.uuid()),
    seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
    status: v.picklist(["WON", "WAITLISTED", "CANCELLED"]),
    position: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))),
    note: v.nullable(v.pipe(v.string(), v.maxLength(500))),
    appliedAt: Millis,
    decidedAt: Millis,
    version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  }),
});

export function parseDecisionEvent(body: unknown): DecisionEvent | null {
  const result = v.safeParse(DecisionEventSchema, body);
  return result.success ? (result.output satisfies DecisionEvent) : null;
}
