import * as v from "valibot";
import type { GateEvent } from "../../../core/first-come/types";
import {
  APPLICATION_STATUSES,
  CANCELLED_REASONS,
  OUTCOMES,
} from "../../../core/vocabulary/applications";
import { CLOSED_REASONS, TRIAL_STATUSES } from "../../../core/vocabulary/trials";

/** Queue messages are input like any other: validated before anything is written. */
const Millis = v.pipe(v.number(), v.integer(), v.minValue(0));
const Id = v.pipe(v.string(), v.uuid());

const ApplicationSchema = v.object({
  id: Id,
  trialId: Id,
  userId: Id,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  status: v.picklist(APPLICATION_STATUSES),
  position: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))),
  note: v.nullable(v.pipe(v.string(), v.maxLength(500))),
  appliedAt: Millis,
  decidedAt: Millis,
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  // Absent on events written before the winner's confirmation existed.
  confirmBy: v.optional(v.nullable(Millis)),
  confirmedAt: v.optional(v.nullable(Millis)),
  cancelledReason: v.optional(v.nullable(v.picklist(CANCELLED_REASONS))),
});

const ApplicationEventSchema = v.object({
  v: v.literal(1),
  type: v.literal("application"),
  eventId: Id,
  outcome: v.picklist(OUTCOMES),
  application: ApplicationSchema,
});

/** The sealed address is opaque here: bounded, never parsed, never logged. */
const ConfirmationEventSchema = v.object({
  v: v.literal(1),
  type: v.literal("confirmation"),
  eventId: Id,
  application: ApplicationSchema,
  address: v.object({
    keyId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
    sealed: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  }),
});

const TrialStatusEventSchema = v.object({
  v: v.literal(1),
  type: v.literal("trial-status"),
  eventId: Id,
  trialId: Id,
  status: v.picklist(TRIAL_STATUSES),
  closedReason: v.nullable(v.picklist(CLOSED_REASONS)),
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  at: Millis,
});

const GateEventSchema = v.variant("type", [
  ApplicationEventSchema,
  TrialStatusEventSchema,
  ConfirmationEventSchema,
]);

export function parseGateEvent(body: unknown): GateEvent | null {
  const result = v.safeParse(GateEventSchema, body);
  return result.success ? (result.output satisfies GateEvent) : null;
}
