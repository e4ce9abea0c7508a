import {
  created,
  noContent,
  type OperationDoc,
  OWNER_GUARD,
  ok,
  ROLE_GUARD,
} from "../operation-doc";
import * as R from "../responses";

/** Products and trials. Keyed by `METHOD path` as Hono lists the route. */
export const CATALOG_OPERATIONS: Record<string, OperationDoc> = {
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
    notes:
      "`ordering` (default `strict`) says how places are given: `strict` first come, first served; " +
      "`shuffle-at-open` admits every application of the first `shuffleSeconds` (1..600, required " +
      "with it and refused with any other ordering, 400) as PENDING and then draws them, later " +
      "arrivals first-come behind; `draw` admits every application until closesAt as PENDING and " +
      "draws at closesAt. The gate makes a secret 64-hex `seed` and the trial shows its " +
      "`seedCommitment` (SHA-256 of the seed text) from creation and the `seed` once drawn. Rank = " +
      "ascending lowercase hex HMAC-SHA256 with key = the UTF-8 text seed + the log's head hash at " +
      "the window's end, message = the application id: the first `slots` WON, the next " +
      "`waitlistSize` WAITLISTED, the rest NOT_SELECTED.",
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
    notes:
      "`ordering` and `shuffleSeconds` may change too (checked on the trial as changed: " +
      "`shuffleSeconds` goes with `shuffle-at-open` only, and a new ordering drops the old " +
      "window unless one is given).",
    responses: ok(R.Trial),
    errors: [...OWNER_GUARD, "TRIAL_NOT_FOUND", "TRIAL_ALREADY_OPEN"],
  },
  "POST /v1/trials/:id/cancel": {
    summary: "Cancel a trial; every WON, WAITLISTED and PENDING applicant is notified",
    tag: "Trials",
    security: "bearer",
    who: "owner, ADMIN",
    responses: ok(R.Trial),
    errors: [...OWNER_GUARD, "TRIAL_NOT_FOUND", "TRIAL_CLOSED"],
  },
};
