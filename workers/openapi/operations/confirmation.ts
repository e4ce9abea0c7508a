import { type OperationDoc, ok, ROLE_GUARD } from "../operation-doc";
import * as R from "../responses";

/** The winner's confirmation (docs/decisions/0033). Keyed by `METHOD path` as Hono lists it. */
export const CONFIRMATION_OPERATIONS: Record<string, OperationDoc> = {
  "POST /v1/trials/:id/applications/me/confirm": {
    summary: "Confirm a won place and give the shipping address",
    tag: "After the win",
    security: "bearer",
    who: "MEMBER (the winner)",
    notes:
      "A winner always confirms to give an address; under the trial's `confirmWithinMinutes` " +
      "it must arrive by the application's `confirmBy` (at that instant still in time, a " +
      "millisecond later 409 `CONFIRMATION_CLOSED`). Unconfirmed at the deadline, the place " +
      "is released by the trial's gate on its own clock (`CANCELLED`, `cancelledReason: " +
      '"NOT_CONFIRMED"`) and the head of the waitlist is promoted with a full window of its ' +
      "own. The address is sealed before it reaches the gate and stored encrypted; only the " +
      "member, the trial's company and ADMINs see it (GET /v1/trials/{id}/winners, logged).",
    responses: ok(R.Application, "The application, now with `confirmedAt`"),
    errors: [
      ...ROLE_GUARD,
      "TRIAL_NOT_FOUND",
      "APPLICATION_NOT_FOUND",
      "NOT_A_WINNER",
      "CONFIRMATION_CLOSED",
      "ALREADY_CONFIRMED",
    ],
  },
};
