import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { requireAuth, requireRole } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { presentReview } from "../../presenters";
import { deleteReview, updateReview } from "../../services/reviews";
import { IdParam, validate } from "../../validation";
import { PatchReviewBody } from "./schemas";

/**
 * /v1/reviews/:id: changed by its author or an ADMIN. Authors are always members, so a
 * COMPANY is turned away by role before the review is even read.
 */
export const reviewRoutes = new Hono<AppEnv>()
  .patch(
    "/:id",
    requireAuth(),
    requireRole("MEMBER", "ADMIN"),
    validate("param", IdParam),
    validate("json", PatchReviewBody),
    idempotent(),
    async (c) => {
      const review = await updateReview(
        await c.var.deps.db.db(),
        c.var.caller,
        c.req.valid("param").id,
        c.req.valid("json"),
      );
      return c.json(presentReview(review), 200);
    },
  )
  .delete(
    "/:id",
    requireAuth(),
    requireRole("MEMBER", "ADMIN"),
    validate("param", IdParam),
    idempotent(),
    async (c) => {
      await deleteReview(await c.var.deps.db.db(), c.var.caller, c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
