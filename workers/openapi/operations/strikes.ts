import { created, type OperationDoc, ok, ROLE_GUARD } from "../operation-doc";
import * as R from "../responses";

const RULE =
  "A missed review deadline records a strike. Two strikes within 180 days (not lifted by an " +
  "appeal) restrict applying for 30 days from the second: the apply route answers 403 " +
  "`MEMBER_RESTRICTED` with the date (docs/decisions/0036).";

/** Strikes and their appeals (API.md "After the win"). Keyed by `METHOD path` as Hono lists the route. */
export const STRIKE_OPERATIONS: Record<string, OperationDoc> = {
  "GET /v1/me/strikes": {
    summary: "The caller's strikes and their appeals, newest first",
    tag: "Strikes",
    security: "bearer",
    who: "MEMBER",
    notes: RULE,
    responses: ok(R.StrikePage),
    errors: ROLE_GUARD,
  },
  "POST /v1/me/strikes/:id/appeal": {
    summary: "Appeal one of the caller's strikes (one appeal per strike)",
    tag: "Strikes",
    security: "bearer",
    who: "MEMBER",
    notes:
      "`reason`: 1..1000 characters. Answers the strike with its appeal, PENDING until an " +
      "ADMIN decides. Another member's strike is 404 `STRIKE_NOT_FOUND`, like an unknown one.",
    responses: created(R.Strike),
    errors: [...ROLE_GUARD, "STRIKE_NOT_FOUND", "APPEAL_EXISTS"],
  },
  "GET /v1/admin/appeals": {
    summary: "Appealed strikes, oldest appeal first",
    tag: "Strikes",
    security: "bearer",
    who: "ADMIN",
    notes: "`status` filters by the appeal's state (PENDING, GRANTED, DENIED); without it, all.",
    responses: ok(R.StrikePage),
    errors: ROLE_GUARD,
  },
  "POST /v1/admin/appeals/:id": {
    summary: "Decide an appeal: GRANTED lifts the strike, DENIED keeps it",
    tag: "Strikes",
    security: "bearer",
    who: "ADMIN",
    notes:
      "`:id` is the strike's id. A grant that ends the member's restriction also ends their " +
      "access tokens (401 `TOKEN_EXPIRED`): the refreshed token applies again. A strike " +
      "never appealed is 404 `STRIKE_NOT_FOUND`; a second decision 409 `APPEAL_DECIDED`.",
    responses: ok(R.Strike),
    errors: [...ROLE_GUARD, "STRIKE_NOT_FOUND", "APPEAL_DECIDED"],
  },
};
