import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { decodeCursor, toPage } from "../../lib/cursor";
import { CreatedCursor } from "../../lib/keyset";
import { requireAuth, requireRole } from "../../middleware/auth";
import { accessKeyOf, listDataAccess, presentDataAccess } from "../../personal-data/access-log";
import { readOwnAddress } from "../../personal-data/own-address";
import { readConfirmedWinners, WinnerCursor } from "../../personal-data/winners";
import { assertOwnsTrial, getTrialRow } from "../../services/trials";
import { IdParam, validate } from "../../validation";
import { ListDataAccessQuery, ListWinnersQuery } from "./schemas";

/**
 * Personal data handled as such (API.md "After the win", docs/decisions/0034): the
 * company's list of confirmed winners with their addresses (every read logged), the
 * member's own address, and the member's log of who read it. Mounted under /v1/trials.
 */
export const winnerRoutes = new Hono<AppEnv>()
  .get(
    "/:id/winners",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("param", IdParam),
    validate("query", ListWinnersQuery),
    async (c) => {
      const { db, config } = c.var.deps;
      const database = await db.db();
      const trial = await getTrialRow(database, c.req.valid("param").id);
      assertOwnsTrial(c.var.caller, trial);
      const query = c.req.valid("query");
      const after = decodeCursor(query.cursor, WinnerCursor);
      const page = await readConfirmedWinners(database, config.personalData, c.var.caller, trial, {
        limit: query.limit,
        afterSeq: after?.seq ?? 0,
      });
      // Personal data: no shared cache or proxy keeps a copy.
      c.header("Cache-Control", "no-store");
      return c.json(page, 200);
    },
  )
  .get(
    "/:id/applications/me/address",
    requireAuth(),
    requireRole("MEMBER"),
    validate("param", IdParam),
    async (c) => {
      const { db, config } = c.var.deps;
      const address = await readOwnAddress(
        await db.db(),
        config.personalData,
        c.var.caller.userId,
        c.req.valid("param").id,
      );
      c.header("Cache-Control", "no-store");
      return c.json(address, 200);
    },
  );

/** /v1/users/me/data-access: the signed-in caller's own access log, newest first. */
export const dataAccessRoutes = new Hono<AppEnv>().get(
  "/me/data-access",
  requireAuth(),
  validate("query", ListDataAccessQuery),
  async (c) => {
    const query = c.req.valid("query");
    const rows = await listDataAccess(await c.var.deps.db.db(), c.var.caller.userId, {
      limit: query.limit,
      after: decodeCursor(query.cursor, CreatedCursor),
    });
    return c.json(toPage(rows, query.limit, presentDataAccess, CreatedCursor, accessKeyOf), 200);
  },
);
