import { type OperationDoc, OWNER_GUARD, ok, ROLE_GUARD } from "../operation-doc";
import * as R from "../responses";

/**
 * Winners' addresses and who read them (docs/decisions/0034). Keyed by `METHOD path` as Hono
 * lists the route.
 */
export const PERSONAL_DATA_OPERATIONS: Record<string, OperationDoc> = {
  "GET /v1/trials/:id/winners": {
    summary: "A trial's confirmed winners with their shipping addresses, in seq order",
    tag: "After the win",
    security: "bearer",
    who: "owner, ADMIN",
    notes:
      "Confirmed winners only (WON, with an address given). Every address in the answer is " +
      "recorded in the member's access log (GET /v1/users/me/data-access) in the same " +
      "transaction as the read: when the record cannot be written, no address is sent. " +
      "Addresses are erased 90 days after the trial closes. carrier, trackingNumber and " +
      "shippedAt are null until the shipment is recorded.",
    responses: ok(R.WinnerPage),
    errors: [...OWNER_GUARD, "TRIAL_NOT_FOUND"],
  },
  "GET /v1/trials/:id/applications/me/address": {
    summary: "The caller's own shipping address for a trial",
    tag: "After the win",
    security: "bearer",
    who: "MEMBER",
    notes:
      "Not recorded in the access log: the data is the caller's own. 404 ADDRESS_NOT_FOUND " +
      "before confirmation and after erasure.",
    responses: ok(R.OwnAddress),
    errors: [...ROLE_GUARD, "TRIAL_NOT_FOUND", "ADDRESS_NOT_FOUND"],
  },
  "GET /v1/users/me/data-access": {
    summary: "Who read the caller's personal data, newest first",
    tag: "After the win",
    security: "bearer",
    who: "signed in",
    notes:
      "One item per address a company (or an ADMIN) was shown, with the trial and the " +
      "company it belongs to.",
    responses: ok(R.DataAccessPage),
    errors: [],
  },
};
