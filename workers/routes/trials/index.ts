import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { requireAuth, requireRole } from "../../middleware/auth";
import { presentTrial } from "../../presenters";
import { createTrial, getTrialRow } from "../../services/trials";
import { IdParam, validate } from "../../validation";
import { applicationRoutes } from "./applications";
import { CreateTrialBody } from "./schemas";

export const trialRoutes = new Hono<AppEnv>()
  .post(
    "/",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("json", CreateTrialBody),
    async (c) => {
      const { db, gates } = c.var.deps;
      const { trial, live } = await createTrial(
        await db.db(),
        gates,
        c.var.caller,
        c.req.valid("json"),
      );
      return c.json(presentTrial(trial, live), 201);
    },
  )
  .get("/:id", validate("param", IdParam), async (c) => {
    const { db, gates } = c.var.deps;
    const id = c.req.valid("param").id;
    const [trial, live] = await Promise.all([
      db.db().then((d) => getTrialRow(d, id)),
      gates.get(id).snapshot(),
    ]);
    return c.json(presentTrial(trial, live), 200);
  })
  .route("/", applicationRoutes);
