import { Hono } from "hono";
import { invalidateTrial } from "../../cache/invalidate";
import type { AppEnv } from "../../context";
import { requireAuth, requireRole } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { presentTrial } from "../../presenters";
import { readTrial, readTrialList } from "../../services/catalog-reads";
import { cancelTrial, createTrial, updateTrial } from "../../services/trials";
import { IdParam, validate } from "../../validation";
import { trialReviewRoutes } from "../reviews/trial-reviews";
import { applicationRoutes } from "./applications";
import { confirmationRoutes } from "./confirmation";
import { extendRoutes } from "./extend";
import { fillLogRoutes } from "./fill-log";
import { liveRoutes } from "./live";
import { CreateTrialBody, ListTrialsQuery, PatchTrialBody } from "./schemas";
import { shipmentRoutes } from "./shipments";

export const trialRoutes = new Hono<AppEnv>()
  .post(
    "/",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("json", CreateTrialBody),
    idempotent(),
    async (c) => {
      const { db, gates } = c.var.deps;
      const { trial, live } = await createTrial(
        await db.db(),
        gates,
        c.var.caller,
        c.req.valid("json"),
      );
      await invalidateTrial(c.var.deps.cache, trial.id);
      return c.json(presentTrial(trial, live), 201);
    },
  )
  .get("/", validate("query", ListTrialsQuery), async (c) => {
    return c.json(await readTrialList(c.var.deps, c.req.valid("query")), 200);
  })
  .patch(
    "/:id",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("param", IdParam),
    validate("json", PatchTrialBody),
    idempotent(),
    async (c) => {
      const { db, gates } = c.var.deps;
      const { trial, live } = await updateTrial(
        await db.db(),
        gates,
        c.var.caller,
        c.req.valid("param").id,
        c.req.valid("json"),
      );
      await invalidateTrial(c.var.deps.cache, trial.id);
      return c.json(presentTrial(trial, live), 200);
    },
  )
  .post(
    "/:id/cancel",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("param", IdParam),
    idempotent(),
    async (c) => {
      const { db, gates } = c.var.deps;
      const { trial, live } = await cancelTrial(
        await db.db(),
        gates,
        c.var.caller,
        c.req.valid("param").id,
      );
      await invalidateTrial(c.var.deps.cache, trial.id);
      return c.json(presentTrial(trial, live), 200);
    },
  )
  .get("/:id", validate("param", IdParam), async (c) => {
    return c.json(await readTrial(c.var.deps, c.req.valid("param").id), 200);
  })
  .route("/", applicationRoutes)
  .route("/", confirmationRoutes)
  .route("/", liveRoutes)
  .route("/", fillLogRoutes)
  .route("/", trialReviewRoutes)
  .route("/", shipmentRoutes)
  .route("/", extendRoutes);
