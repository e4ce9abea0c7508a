import {
  created,
  noContent,
  type OperationDoc,
  OWNER_GUARD,
  ok,
  ROLE_GUARD,
} from "../operation-doc";
import * as R from "../responses";

/** Reviews of a trial and of a product. Keyed by `METHOD path` as Hono lists the route. */
export const REVIEW_OPERATIONS: Record<string, OperationDoc> = {
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
  "GET /v1/trials/:id/reviews/me": {
    summary: "The caller's own review of a trial",
    tag: "Reviews",
    security: "bearer",
    who: "MEMBER",
    responses: ok(R.Review),
    errors: [...ROLE_GUARD, "TRIAL_NOT_FOUND", "REVIEW_NOT_FOUND"],
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
};
