import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { requireAuth, requireRole } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { presentReview } from "../../presenters";
import { createReview, readOwnReview, readReviewPage } from "../../services/reviews";
import { IdParam, validate } from "../../validation";
import { CreateReviewBody, ListReviewsQuery } from "./schemas";

/** Mounted into the trial routes: /v1/trials/:id/reviews. */
export const trialReviewRoutes = new Hono<AppEnv>()
  .post(
    "/:id/reviews",
    requireAuth(),
    requireRole("MEMBER"),
    validate("param", IdParam),
    validate("json", CreateReviewBody),
    idempotent(),
    async (c) => {
      const review = await createReview(
        await c.var.deps.db.db(),
        c.var.deps.gates,
        c.var.caller,
        c.req.valid("param").id,
        c.req.valid("json"),
      );
      return c.json(presentReview(review), 201);
    },
  )
  // The member's own review in one call (the pages' trial view), whatever page it is on.
  .get(
    "/:id/reviews/me",
    requireAuth(),
    requireRole("MEMBER"),
    validate("param", IdParam),
    async (c) => {
      const db = await c.var.deps.db.db();
      const review = await readOwnReview(db, c.var.caller, c.req.valid("param").id);
      return c.json(presentReview(review), 200);
    },
  )
  .get(
    "/:id/reviews",
    validate("param", IdParam),
    validate("query", ListReviewsQuery),
    async (c) => {
      const db = await c.var.deps.db.db();
      const trialId = c.req.valid("param").id;
      return c.json(await readReviewPage(db, { trialId }, c.req.valid("query")), 200);
    },
  );
