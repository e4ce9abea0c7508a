import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { decodeCursor, toPage } from "../../lib/cursor";
import { requireAuth, requireRole, requireToken } from "../../middleware/auth";
import { limitApply } from "../../middleware/rate-limit";
import { presentApplication } from "../../presenters";
import {
  applyToTrial,
  cancelMyApplication,
  getMyApplication,
  listTrialApplications,
} from "../../services/applications";
import { assertOwnsTrial, getTrialRow } from "../../services/trials";
import { IdParam, validate } from "../../validation";
import { ApplyBody, ListApplicationsQuery, SeqCursor } from "./schemas";

/** The first-come core's routes, under /v1/trials/:id/applications. */
export const applicationRoutes = new Hono<AppEnv>()
  .post(
    "/:id/applications",
    // The hot path: token + revocation marker, no Postgres (docs/decisions/0008).
    requireToken(),
    requireRole("MEMBER"),
    validate("param", IdParam),
    validate("json", ApplyBody),
    limitApply(),
    async (c) => {
      const { created, application } = await applyToTrial(
        c.var.deps.gates,
        c.req.valid("param").id,
        c.var.caller.userId,
        c.req.valid("json").note || null,
      );
      return c.json(presentApplication(application), created ? 201 : 200);
    },
  )
  .delete(
    "/:id/applications/me",
    requireAuth(),
    requireRole("MEMBER"),
    validate("param", IdParam),
    async (c) => {
      const application = await cancelMyApplication(
        c.var.deps.gates,
        c.req.valid("param").id,
        c.var.caller.userId,
      );
      return c.json(presentApplication(application), 200);
    },
  )
  .get(
    "/:id/applications/me",
    requireAuth(),
    requireRole("MEMBER"),
    validate("param", IdParam),
    async (c) => {
      const application = await getMyApplication(
        c.var.deps.gates,
        c.req.valid("param").id,
        c.var.caller.userId,
      );
      return c.json(presentApplication(application), 200);
    },
  )
  .get(
    "/:id/applications",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("param", IdParam),
    validate("query", ListApplicationsQuery),
    async (c) => {
      const db = await c.var.deps.db.db();
      const trial = await getTrialRow(db, c.req.valid("param").id);
      assertOwnsTrial(c.var.caller, trial);
      const query = c.req.valid("query");
      const after = decodeCursor(query.cursor, SeqCursor);
      const rows = await listTrialApplications(db, trial.id, {
        status: query.status,
        afterSeq: after?.seq ?? 0,
        limit: query.limit,
      });
      return c.json(
        toPage(rows, query.limit, presentApplication, (r) => ({ seq: r.seq })),
        200,
      );
    },
  );
