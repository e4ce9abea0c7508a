import { type OperationDoc, OWNER_GUARD, ok, ROLE_GUARD } from "../operation-doc";
import * as R from "../responses";

/** Applying, withdrawing and the lists of applications. Keyed by `METHOD path` as Hono lists the route. */
export const APPLICATION_OPERATIONS: Record<string, OperationDoc> = {
  "POST /v1/trials/:id/applications": {
    summary: "Apply to a trial (first come, first served, or PENDING for a draw)",
    tag: "Applications",
    security: "bearer",
    who: "MEMBER",
    responses: {
      200: {
        description:
          "The caller had applied already: the same application, with the receipt of its " +
          "latest entry in the trial's fill log",
        schema: R.OwnApplication,
      },
      201: {
        description:
          "A new application and its outcome, with its receipt (GET " +
          "/v1/trials/{id}/applications/me/receipt says what a receipt holds)",
        schema: R.OwnApplication,
      },
    },
    errors: [
      ...ROLE_GUARD,
      "TRIAL_NOT_FOUND",
      "TRIAL_NOT_OPEN",
      "TRIAL_CLOSED",
      "TRIAL_CANCELLED",
      "RATE_LIMITED",
    ],
  },
  "GET /v1/trials/:id/applications/me": {
    summary: "The caller's application to a trial",
    tag: "Applications",
    security: "bearer",
    who: "MEMBER",
    responses: ok(R.Application),
    errors: [...ROLE_GUARD, "TRIAL_NOT_FOUND", "APPLICATION_NOT_FOUND"],
  },
  "DELETE /v1/trials/:id/applications/me": {
    summary: "Cancel the caller's application (a WON place goes to the waitlist)",
    tag: "Applications",
    security: "bearer",
    who: "MEMBER",
    responses: ok(R.Application, "The application, now CANCELLED"),
    errors: [...ROLE_GUARD, "TRIAL_NOT_FOUND", "APPLICATION_NOT_FOUND"],
  },
  "GET /v1/trials/:id/applications": {
    summary: "A trial's applications in arrival order",
    tag: "Applications",
    security: "bearer",
    who: "owner, ADMIN",
    responses: ok(R.ApplicationPage),
    errors: [...OWNER_GUARD, "TRIAL_NOT_FOUND"],
  },
  "GET /v1/me/applications": {
    summary: "The caller's applications, newest first",
    tag: "Applications",
    security: "bearer",
    who: "MEMBER",
    responses: ok(R.ApplicationPage),
    errors: ROLE_GUARD,
  },
};
