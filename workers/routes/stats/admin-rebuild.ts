import { Hono } from "hono";
import { describeError, log } from "../../../core/log";
import { connect } from "../../../db/client";
import type { AppEnv } from "../../context";
import { idempotent } from "../../middleware/idempotency";
import {
  continueFullRebuild,
  FULL_REBUILD_JOB,
  STATS_LIMITS,
  startFullRebuild,
} from "../../scheduled/stats/jobs";

/**
 * /v1/admin/stats (the ADMIN gate is in ../admin/index.ts). The rebuild is started, not
 * run in the request: the cursor is set, batches are built after the response for as long
 * as background work may run (Workers cancel waitUntil work 30 s after the response), and
 * the 5-minute ticks build whatever is left, so no request walks every trial.
 */
const BACKGROUND_BUDGET_MS = 20_000;

export const adminStatsRoutes = new Hono<AppEnv>().post("/rebuild", idempotent(), async (c) => {
  const deps = c.var.deps;
  const now = new Date();
  const cursor = await startFullRebuild(await deps.db.db(), now);
  deps.waitUntil(
    (async () => {
      // Its own connection: the request's closes once the response is sent.
      const conn = await connect(deps.config.database);
      try {
        const deadline = Date.now() + BACKGROUND_BUDGET_MS;
        let trials = 0;
        let done = false;
        while (!done && Date.now() < deadline) {
          const run = await continueFullRebuild(
            conn.db,
            deps.gates,
            now,
            STATS_LIMITS,
            FULL_REBUILD_JOB,
            deps.metrics,
          );
          trials += run?.trialIds.length ?? 0;
          done = run?.done ?? true;
        }
        log.info("stats.rebuild_background", { trials, done });
      } catch (err) {
        // The ticks go on from the cursor: a failed batch only delays the rebuild.
        log.error("stats.rebuild_background_failed", { error: describeError(err) });
      } finally {
        await conn.close();
      }
    })(),
  );
  log.info("stats.rebuild_requested", { by: c.var.caller.userId });
  return c.json(
    { state: cursor.state, startedAt: cursor.startedAt, batchSize: STATS_LIMITS.batchSize },
    202,
  );
});
