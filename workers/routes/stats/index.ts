import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { decodeCursor, toPage } from "../../lib/cursor";
import { requireAuth, requireRole } from "../../middleware/auth";
import { getProduct } from "../../services/products";
import { assertOwnsTrial, getTrialRow } from "../../services/trials";
import { IdParam, validate } from "../../validation";
import { getTrialStats, listCompanyStats, presentTrialStats, productTotals } from "./read-stats";
import { CompanyStatsQuery, TrialIdCursor } from "./schemas";

/** /v1/stats — statistics built by the cron (docs/decisions/0012), read by their owners. */
export const statsRoutes = new Hono<AppEnv>()
  .use(requireAuth())
  .get("/trials/:id", requireRole("COMPANY", "ADMIN"), validate("param", IdParam), async (c) => {
    const db = await c.var.deps.db.db();
    const trial = await getTrialRow(db, c.req.valid("param").id);
    assertOwnsTrial(c.var.caller, trial);
    return c.json(presentTrialStats(await getTrialStats(db, trial.id)), 200);
  })
  .get("/products/:id", requireRole("COMPANY", "ADMIN"), validate("param", IdParam), async (c) => {
    const db = await c.var.deps.db.db();
    const product = await getProduct(db, c.req.valid("param").id);
    const caller = c.var.caller;
    if (caller.role !== "ADMIN" && product.companyId !== caller.userId) {
      throw new AppError(
        "NOT_THE_OWNER",
        "Only the company that owns the product or an ADMIN can see its statistics.",
      );
    }
    return c.json(await productTotals(db, product.id), 200);
  })
  .get("/companies/me", requireRole("COMPANY"), validate("query", CompanyStatsQuery), async (c) => {
    const query = c.req.valid("query");
    const after = decodeCursor(query.cursor, TrialIdCursor);
    const rows = await listCompanyStats(
      await c.var.deps.db.db(),
      c.var.caller.userId,
      after?.trialId ?? null,
      query.limit,
    );
    return c.json(
      toPage(rows, query.limit, presentTrialStats, TrialIdCursor, (r) => ({
        trialId: r.trialId,
      })),
      200,
    );
  });
