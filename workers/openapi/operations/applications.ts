import { type OperationDoc, OWNER_GUARD, ok, ROLE_GUARD } from "../operation-doc";
import * as R from "../responses";

/** What a restricted member is told, and where the date is (docs/decisions/0036). */
const RESTRICTED_NOTE =
  "A member with two strikes (missed review deadlines) within 180 days may not apply for 30 " +
  "days from the second: 403 `MEMBER_RESTRICTED`, with the end in `details` as " +
  '`[{"path": "restrictedUntil", "message": "<ISO-8601 instant>"}]`. The access token ' +
  "carries the restriction (claim `restrictedUntil`, set at login and refresh), so this " +
  "route still makes no database call; a new strike or a granted appeal ends the member's " +
  "access tokens (401 `TOKEN_EXPIRED`), and the refreshed one carries the change.";

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
      "MEMBER_RESTRICTED",
      "RATE_LIMITED",
    ],
    notes: RESTRICTED_NOTE,
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
    notes:
      "Each application carries its applicant's `reliability` (completed and missed review " +
      "deadlines, strikes that count, and `restrictedUntil`), read for the whole page at once.",
    responses: ok(R.ApplicantPage),
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
