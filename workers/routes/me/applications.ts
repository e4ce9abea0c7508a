import { Hono } from "hono";
import * as v from "valibot";
import { APPLICATION_STATUSES } from "../../../core/vocabulary/applications";
import type { AppEnv } from "../../context";
import { withJourneys } from "../../journeys/journey";
import { decodeCursor, toPage } from "../../lib/cursor";
import { CreatedCursor } from "../../lib/keyset";
import { requireRole } from "../../middleware/auth";
import { presentApplication } from "../../presenters";
import { listMyApplications } from "../../services/applications";
import { Limit, oneOf, validate } from "../../validation";

const ListMyApplicationsQuery = v.object({
  status: v.optional(oneOf(APPLICATION_STATUSES)),
  limit: Limit,
  cursor: v.optional(v.string()),
});

/**
 * GET /v1/me/applications: the caller's applications from Postgres, newest first (the /me
 * sub-app has authenticated the caller already).
 */
export const myApplicationRoutes = new Hono<AppEnv>().get(
  "/applications",
  requireRole("MEMBER"),
  validate("query", ListMyApplicationsQuery),
  async (c) => {
    const query = c.req.valid("query");
    const db = await c.var.deps.db.db();
    const rows = await withJourneys(
      db,
      await listMyApplications(db, c.var.caller.userId, {
        status: query.status,
        limit: query.limit,
        after: decodeCursor(query.cursor, CreatedCursor),
      }),
    );
    return c.json(
      toPage(rows, query.limit, presentApplication, CreatedCursor, (r) => ({
        t: r.appliedAt.getTime(),
        id: r.id,
      })),
      200,
    );
  },
);
