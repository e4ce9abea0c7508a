import { Hono } from "hono";
import { connect } from "../../../db/client";
import type { AppEnv } from "../../context";
import { describeError, log } from "../../lib/log";
import { continueFullRebuild, STATS_LIMITS, startFullRebuild } from "../../scheduled/stats/jobs";

/**
 * /v1/admin/stats (the ADMIN gate is in ../admin/index.ts). The rebuild is started, not
 * run here: the cursor is set, the first batch is built after the response, and the
 * 5-minute ticks build the rest, so no request walks every trial.
 */
export const adminStatsRoutes = new Hono<AppEnv>().post("/rebuild", async (c) => {
  const deps = c.var.deps;
  const now = new Date();
  const cursor = await startFullRebuild(await deps.db.db(), now);
  deps.waitUntil(
    (async () => {
      // Its own connection: the request's closes once the response is sent.
      const conn = await connect(deps.config.database);
      try {
        const run = await continueFullRebuild(conn.db, deps.gates, now);
        log.info("stats.rebuild_first_batch", {
          trials: run?.trialIds.length ?? 0,
          done: run?.done ?? true,
          ms: run?.ms ?? 0,
        });
      } catch (err) {
        // The ticks go on from the cursor: a failed first batch only delays the rebuild.
        log.error("stats.rebuild_first_batch_failed", { error: describeError(err) });
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
