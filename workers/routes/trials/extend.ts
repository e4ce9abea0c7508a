import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { extendMyReviewDeadline } from "../../journeys/extend";
import { presentJourney } from "../../journeys/journey";
import { requireAuth, requireRole } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { IdParam, validate } from "../../validation";

/** POST /v1/trials/:id/applications/me/extend: the winner's one extension of the deadline. */
export const extendRoutes = new Hono<AppEnv>().post(
  "/:id/applications/me/extend",
  requireAuth(),
  requireRole("MEMBER"),
  validate("param", IdParam),
  idempotent(),
  async (c) => {
    const journey = await extendMyReviewDeadline(
      await c.var.deps.db.db(),
      c.var.caller.userId,
      c.req.valid("param").id,
      new Date(),
    );
    return c.json(presentJourney(journey), 200);
  },
);
