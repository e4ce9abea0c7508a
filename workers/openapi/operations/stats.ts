import { type OperationDoc, OWNER_GUARD, ok, ROLE_GUARD } from "../operation-doc";
import * as R from "../responses";

/** Statistics and their rebuild. Keyed by `METHOD path` as Hono lists the route. */
export const STATS_OPERATIONS: Record<string, OperationDoc> = {
  "GET /v1/stats/trials/:id": {
    summary: "A trial's statistics (built by the cron every 5 minutes)",
    tag: "Statistics",
    security: "bearer",
    who: "owner, ADMIN",
    responses: ok(R.TrialStats),
    errors: [...OWNER_GUARD, "TRIAL_NOT_FOUND", "STATS_NOT_READY"],
  },
  "GET /v1/stats/products/:id": {
    summary: "Totals over a product's trials",
    tag: "Statistics",
    security: "bearer",
    who: "owner, ADMIN",
    responses: ok(R.ProductStats),
    errors: [...OWNER_GUARD, "PRODUCT_NOT_FOUND"],
  },
  "GET /v1/stats/companies/me": {
    summary: "One row per trial of the calling company",
    tag: "Statistics",
    security: "bearer",
    who: "COMPANY",
    responses: ok(R.TrialStatsPage),
    errors: ROLE_GUARD,
  },
  "POST /v1/admin/stats/rebuild": {
    summary: "Rebuild every statistic now",
    tag: "Statistics",
    security: "bearer",
    who: "ADMIN",
    responses: { 202: { description: "Rebuild started", schema: R.RebuildStarted } },
    errors: ROLE_GUARD,
  },
};
