import { created, noContent, type OperationDoc, ok, ROLE_GUARD } from "../operation-doc";
import * as R from "../responses";

/** How a Slack id gets linked (docs/decisions/0026), for the routes that take one. */
const SLACK_LINK_NOTE =
  "A Slack member id is linked only once its owner proves it. Setting `slackId` to a new id sends a one-time 6-digit code to that Slack user by direct message (good for ten minutes and five tries) and answers the User with the id as `pendingSlackId`; `slackId` stays the id linked before (or null) until the code comes back through POST /v1/users/me/slack/verify. No result message ever goes to a pending id. Setting the pending id again sends a new code; the linked id changes nothing; null unlinks and drops a pending id. 422 SLACK_UNREACHABLE when no code can be sent (no Slack app configured for direct messages, or Slack does not know the id), 503 when Slack is down; nothing of the request is applied then. At most 3 codes a minute per member (429).";

/** Sign-up, sessions, the profile and the admin list of users. Keyed by `METHOD path` as Hono lists the route. */
export const ACCOUNT_OPERATIONS: Record<string, OperationDoc> = {
  "POST /v1/auth/signup": {
    summary: "Sign up as a MEMBER or a COMPANY",
    tag: "Auth",
    security: "none",
    notes:
      "A `slackId` given here is not linked: it is sent a code by Slack direct message and answered as `pendingSlackId` (null if the code could not be sent), to be proven with POST /v1/users/me/slack/verify after logging in.",
    responses: created(R.User),
    errors: ["EMAIL_TAKEN", "RATE_LIMITED"],
  },
  "POST /v1/auth/login": {
    summary: "Log in: an access and a refresh token",
    tag: "Auth",
    security: "none",
    responses: ok(R.TokenPair),
    errors: ["INVALID_CREDENTIALS", "RATE_LIMITED"],
  },
  "POST /v1/auth/refresh": {
    summary: "Trade a refresh token for a new pair (the old one stops working)",
    tag: "Auth",
    security: "none",
    responses: ok(R.TokenPair),
    errors: ["INVALID_REFRESH_TOKEN", "RATE_LIMITED"],
  },
  "POST /v1/auth/logout": {
    summary:
      "End this session and every access token issued so far (401 TOKEN_EXPIRED; other devices refresh)",
    tag: "Auth",
    security: "bearer",
    responses: noContent,
    errors: ["SERVICE_UNAVAILABLE"],
  },

  "GET /v1/users/me": {
    summary: "The caller's account",
    tag: "Users",
    security: "bearer",
    notes:
      "A MEMBER's own account carries `reliability`: journeys completed (a review in time) " +
      "and missed, the strikes that count now (not lifted, recorded in the last 180 days) and " +
      "`restrictedUntil` (ISO-8601, null when free to apply). Read on every request, never " +
      "cached, so a strike or an appeal shows at once. null for COMPANY and ADMIN.",
    responses: ok(R.OwnUser),
    errors: [],
  },
  "PATCH /v1/users/me": {
    summary: "Change the caller's name, or start linking a Slack member id",
    tag: "Users",
    security: "bearer",
    notes: SLACK_LINK_NOTE,
    responses: ok(R.User),
    errors: ["SLACK_UNREACHABLE", "SERVICE_UNAVAILABLE", "RATE_LIMITED"],
  },
  "POST /v1/users/me/slack/verify": {
    summary: "Link the pending Slack member id with the code Slack sent it",
    tag: "Users",
    security: "bearer",
    notes:
      "The six digits the Slack direct message brought. The right code links `pendingSlackId` as `slackId` (result messages go there from now on) and answers the User. A wrong code is 422 WRONG_SLACK_CODE with the tries left; after five wrong tries or ten minutes the code is dead: 409 SLACK_CODE_EXPIRED (set the id again for a new one). 409 NO_SLACK_CODE when no id is pending. At most 10 tries a minute per member (429).",
    responses: ok(R.User),
    errors: ["WRONG_SLACK_CODE", "SLACK_CODE_EXPIRED", "NO_SLACK_CODE", "RATE_LIMITED"],
  },
  "PUT /v1/users/me/password": {
    summary: "Change the password; every refresh token and every access token so far is revoked",
    tag: "Users",
    security: "bearer",
    responses: noContent,
    errors: ["WRONG_PASSWORD", "SERVICE_UNAVAILABLE"],
  },
  "DELETE /v1/users/me": {
    summary: "Delete the caller's account (its tokens stop working)",
    tag: "Users",
    security: "bearer",
    responses: noContent,
    errors: ["SERVICE_UNAVAILABLE"],
  },
  "GET /v1/admin/users": {
    summary: "List users",
    tag: "Users",
    security: "bearer",
    who: "ADMIN",
    responses: ok(R.UserPage),
    errors: ROLE_GUARD,
  },
};
