import type * as v from "valibot";
import type { ErrorCode } from "../../core/vocabulary/error-codes";
import { IMAGE_TYPES } from "../../core/vocabulary/images";
import * as R from "./responses";

/**
 * What the code cannot say about each route: its summary, who may call it, and what it
 * answers. The request side (path, query and body schemas) is never written here; the
 * generator reads it from the `validate(...)` middleware the route really runs.
 */

export type Security = "none" | "bearer" | "metricsToken";

export interface ResponseDoc {
  description: string;
  /** A JSON body (application/json). */
  schema?: v.GenericSchema;
  /** A non-JSON body: its media types (the content is described as raw bytes or text). */
  media?: readonly string[];
  headers?: Record<string, string>;
}

export interface OperationDoc {
  summary: string;
  tag: string;
  security: Security;
  /** Who may call it, in the words of API.md; added to the description. */
  who?: string;
  /** What the route does beyond its summary, in the words of API.md; added to the description. */
  notes?: string;
  responses: Record<number, ResponseDoc>;
  /**
   * Error codes this route answers beyond the ones the generator derives (VALIDATION_FAILED
   * for validated input, MALFORMED_JSON for a JSON body, UNAUTHORIZED for a bearer token).
   */
  errors: ErrorCode[];
  /** A request body not checked by `validate` (raw uploads). */
  rawBody?: { media: readonly string[]; description: string };
}

const ok = (schema: v.GenericSchema, description = "OK"): Record<number, ResponseDoc> => ({
  200: { description, schema },
});
const created = (schema: v.GenericSchema): Record<number, ResponseDoc> => ({
  201: { description: "Created", schema },
});
const noContent: Record<number, ResponseDoc> = { 204: { description: "Done; no body" } };

const RETRY_AFTER = { "Retry-After": "Seconds to wait before trying again" };

/** How a Slack id gets linked (docs/decisions/0026), for the routes that take one. */
const SLACK_LINK_NOTE =
  "A Slack member id is linked only once its owner proves it. Setting `slackId` to a new id sends a one-time 6-digit code to that Slack user by direct message (good for ten minutes and five tries) and answers the User with the id as `pendingSlackId`; `slackId` stays the id linked before (or null) until the code comes back through POST /v1/users/me/slack/verify. No result message ever goes to a pending id. Setting the pending id again sends a new code; the linked id changes nothing; null unlinks and drops a pending id. 422 SLACK_UNREACHABLE when no code can be sent (no Slack app configured for direct messages, or Slack does not know the id), 503 when Slack is down; nothing of the request is applied then. At most 3 codes a minute per member (429).";

const ROLE_GUARD: ErrorCode[] = ["FORBIDDEN"];
const OWNER_GUARD: ErrorCode[] = ["FORBIDDEN", "NOT_THE_OWNER"];

/** Keyed by `METHOD path` exactly as Hono lists the route (`/v1/trials/:id`). */
export const OPERATIONS: Record<string, OperationDoc> = {
  "GET /healthz": {
    summary: "Health of the API and its database",
    tag: "Operations",
    security: "none",
    responses: {
      200: { description: "Postgres answers", schema: R.Health },
      503: { description: "Postgres is unreachable", schema: R.Health, headers: RETRY_AFTER },
    },
    errors: [],
  },
  "GET /metrics": {
    summary: "Prometheus metrics of this process (runtimes that keep counters)",
    tag: "Operations",
    security: "metricsToken",
    responses: { 200: { description: "Prometheus text format", media: ["text/plain"] } },
    errors: ["NOT_FOUND"],
  },
  "GET /openapi.json": {
    summary: "This OpenAPI 3.1 document",
    tag: "Operations",
    security: "none",
    responses: { 200: { description: "The OpenAPI document", media: ["application/json"] } },
    errors: [],
  },
  "GET /docs": {
    summary: "Interactive API reference (Swagger UI over this document)",
    tag: "Operations",
    security: "none",
    responses: { 200: { description: "The reference page", media: ["text/html"] } },
    errors: [],
  },
  "GET /docs/swagger-ui-bundle.js": {
    summary: "Script of the reference page (the pinned swagger-ui-dist)",
    tag: "Operations",
    security: "none",
    responses: { 200: { description: "JavaScript", media: ["text/javascript"] } },
    errors: [],
  },
  "GET /docs/swagger-ui.css": {
    summary: "Style sheet of the reference page (the pinned swagger-ui-dist)",
    tag: "Operations",
    security: "none",
    responses: { 200: { description: "CSS", media: ["text/css"] } },
    errors: [],
  },

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
    responses: ok(R.User),
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

  "POST /v1/images": {
    summary: "Upload an image (the raw bytes, at most 5 MiB)",
    tag: "Images",
    security: "bearer",
    who: "COMPANY, ADMIN",
    rawBody: { media: IMAGE_TYPES, description: "The image bytes; they must match the type" },
    responses: {
      201: {
        description: "Stored",
        schema: R.ImageUpload,
        headers: { Location: "The image's URL" },
      },
    },
    errors: [
      ...ROLE_GUARD,
      "VALIDATION_FAILED",
      "PAYLOAD_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
      "RATE_LIMITED",
    ],
  },
  "GET /v1/images/:id": {
    summary: "An image's bytes",
    tag: "Images",
    security: "none",
    responses: {
      200: {
        description: "The bytes, cacheable for a year",
        media: IMAGE_TYPES,
        headers: { ETag: "Never changes for an id", "Cache-Control": "Long-lived, immutable" },
      },
      304: { description: "Not modified (If-None-Match matched the ETag)" },
    },
    errors: ["IMAGE_NOT_FOUND"],
  },
  "DELETE /v1/images/:id": {
    summary: "Delete an image",
    tag: "Images",
    security: "bearer",
    who: "owner, ADMIN",
    responses: noContent,
    errors: ["NOT_THE_OWNER", "IMAGE_NOT_FOUND"],
  },

  "POST /v1/products": {
    summary: "Create a product",
    tag: "Products",
    security: "bearer",
    who: "COMPANY, ADMIN",
    responses: created(R.Product),
    errors: [...ROLE_GUARD, "UNKNOWN_COMPANY", "UNKNOWN_IMAGE"],
  },
  "GET /v1/products": {
    summary: "List products",
    tag: "Products",
    security: "none",
    responses: ok(R.ProductPage),
    errors: [],
  },
  "GET /v1/products/:id": {
    summary: "A product",
    tag: "Products",
    security: "none",
    responses: ok(R.Product),
    errors: ["PRODUCT_NOT_FOUND"],
  },
  "PATCH /v1/products/:id": {
    summary: "Change a product",
    tag: "Products",
    security: "bearer",
    who: "owner, ADMIN",
    responses: ok(R.Product),
    errors: [...OWNER_GUARD, "PRODUCT_NOT_FOUND", "UNKNOWN_IMAGE"],
  },
  "DELETE /v1/products/:id": {
    summary: "Delete a product (not while one of its trials is OPEN)",
    tag: "Products",
    security: "bearer",
    who: "owner, ADMIN",
    responses: noContent,
    errors: [...OWNER_GUARD, "PRODUCT_NOT_FOUND", "PRODUCT_HAS_OPEN_TRIAL"],
  },

  "POST /v1/trials": {
    summary: "Create a trial of an own product",
    tag: "Trials",
    security: "bearer",
    who: "COMPANY (owner of the product), ADMIN",
    responses: created(R.Trial),
    errors: [...OWNER_GUARD, "UNKNOWN_PRODUCT"],
  },
  "GET /v1/trials": {
    summary: "List trials",
    tag: "Trials",
    security: "none",
    responses: ok(R.TrialPage),
    errors: [],
  },
  "GET /v1/trials/:id": {
    summary: "A trial with its live counts",
    tag: "Trials",
    security: "none",
    responses: ok(R.Trial),
    errors: ["TRIAL_NOT_FOUND"],
  },
  "PATCH /v1/trials/:id": {
    summary: "Change a trial while it is SCHEDULED",
    tag: "Trials",
    security: "bearer",
    who: "owner, ADMIN",
    responses: ok(R.Trial),
    errors: [...OWNER_GUARD, "TRIAL_NOT_FOUND", "TRIAL_ALREADY_OPEN"],
  },
  "POST /v1/trials/:id/cancel": {
    summary: "Cancel a trial; every WON and WAITLISTED applicant is notified",
    tag: "Trials",
    security: "bearer",
    who: "owner, ADMIN",
    responses: ok(R.Trial),
    errors: [...OWNER_GUARD, "TRIAL_NOT_FOUND", "TRIAL_CLOSED"],
  },

  "POST /v1/trials/:id/applications": {
    summary: "Apply to a trial (first come, first served)",
    tag: "Applications",
    security: "bearer",
    who: "MEMBER",
    responses: {
      200: {
        description: "The caller had applied already: the same application",
        schema: R.Application,
      },
      201: { description: "A new application and its outcome", schema: R.Application },
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

  "POST /v1/trials/:id/reviews": {
    summary: "Review a trial the caller won",
    tag: "Reviews",
    security: "bearer",
    who: "the WON applicant",
    responses: created(R.Review),
    errors: [...ROLE_GUARD, "TRIAL_NOT_FOUND", "NOT_A_WINNER", "REVIEW_EXISTS"],
  },
  "GET /v1/trials/:id/reviews": {
    summary: "A trial's reviews and their summary",
    tag: "Reviews",
    security: "none",
    responses: ok(R.ReviewPage),
    errors: ["TRIAL_NOT_FOUND"],
  },
  "GET /v1/products/:id/reviews": {
    summary: "A product's reviews over all its trials, and their summary",
    tag: "Reviews",
    security: "none",
    responses: ok(R.ReviewPage),
    errors: ["PRODUCT_NOT_FOUND"],
  },
  "PATCH /v1/reviews/:id": {
    summary: "Change a review",
    tag: "Reviews",
    security: "bearer",
    who: "author, ADMIN",
    responses: ok(R.Review),
    errors: [...OWNER_GUARD, "REVIEW_NOT_FOUND"],
  },
  "DELETE /v1/reviews/:id": {
    summary: "Delete a review",
    tag: "Reviews",
    security: "bearer",
    who: "author, ADMIN",
    responses: noContent,
    errors: [...OWNER_GUARD, "REVIEW_NOT_FOUND"],
  },

  "GET /v1/me/notifications": {
    summary: "The caller's result messages and what became of them",
    tag: "Notifications",
    security: "bearer",
    responses: ok(R.NotificationPage),
    errors: [],
  },

  "GET /v1/stats/trials/:id": {
    summary: "A trial's statistics (built by the cron every 5 minutes)",
    tag: "Statistics",
    security: "bearer",
    who: "owner, ADMIN",
    responses: ok(R.TrialStats),
    errors: [...OWNER_GUARD, "TRIAL_NOT_FOUND", "STATS_NOT_READY"],
  },
  "GET /v1/stats/products/:id": {
    summary: "Totals over a product's trials",
    tag: "Statistics",
    security: "bearer",
    who: "owner, ADMIN",
    responses: ok(R.ProductStats),
    errors: [...OWNER_GUARD, "PRODUCT_NOT_FOUND"],
  },
  "GET /v1/stats/companies/me": {
    summary: "One row per trial of the calling company",
    tag: "Statistics",
    security: "bearer",
    who: "COMPANY",
    responses: ok(R.TrialStatsPage),
    errors: ROLE_GUARD,
  },
  "POST /v1/admin/stats/rebuild": {
    summary: "Rebuild every statistic now",
    tag: "Statistics",
    security: "bearer",
    who: "ADMIN",
    responses: { 202: { description: "Rebuild started", schema: R.RebuildStarted } },
    errors: ROLE_GUARD,
  },
};
