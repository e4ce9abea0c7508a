import { log } from "../../core/log";
import type { Cache } from "../../core/ports/cache";
import { type Metrics, noMetrics } from "../../core/ports/metrics";
import type { TrialGates } from "../../core/ports/trial-gate";
import { connect, type DatabaseConfig } from "../../db/client";
import { invalidateTrial } from "../cache/invalidate";
import { eachIsolated } from "../lib/isolated";
import { eraseExpiredAddresses } from "../personal-data/erasure";
import type { NotificationQueue } from "../queues/notifications/message";
import { type StrikeFollowUp, strikeRecorded } from "../strikes/restriction-change";
import { purgeIdempotencyKeys } from "./idempotency-purge";
import { runJourneyJobs } from "./journeys";
import { RECONCILE_LIMITS, type ReconcileSummary, reconcileTrials } from "./reconcile";
import { DAILY_STATS_CRON, runDailyStats, runStatsTick } from "./stats";
import { STATS_LIMITS } from "./stats/jobs";
import { syncTrialStatuses } from "./trial-status-sync";

/** wrangler.toml's first cron: time-driven trial statuses (and, on Deno, the outbox drain). */
export const STATUS_SYNC_CRON = "* * * * *";

/** wrangler.toml's second cron: Postgres checked against the gates' ledgers. */
export const RECONCILE_CRON = "*/5 * * * *";

/** Cron expression (as in wrangler.toml) → the jobs it runs. */
export async function runScheduled(
  cron: string,
  scheduledTime: number,
  database: DatabaseConfig,
  cache: Cache,
  gates: TrialGates,
  /** Where reconciliation hands the result messages of the decisions it restores. */
  notifications: NotificationQueue,
  /** Counts the items a job left behind (workers/lib/isolated.ts). */
  metrics: Metrics = noMetrics,
  /**
   * Ends the access tokens of a member a new strike restricts (docs/decisions/0036); without
   * it a new restriction waits for the member's next refresh (ACCESS_TOKEN_TTL_SECONDS).
   */
  strikes?: StrikeFollowUp,
): Promise<ReconcileSummary | undefined> {
  const started = Date.now();
  const conn = await connect(database);
  try {
    if (cron === RECONCILE_CRON) {
      const summary = await reconcileTrials(
        conn.db,
        gates,
        notifications,
        new Date(scheduledTime),
        RECONCILE_LIMITS,
        metrics,
      );
      log.info("cron.reconcile", {
        cron,
        ...summary,
        unknownRows: summary.unknownRows.length,
        ms: Date.now() - started,
      });
      // Statistics share the 5-minute tick (docs/decisions/0012); they log their own runs.
      await runStatsTick(conn.db, gates, new Date(scheduledTime), STATS_LIMITS, metrics);
      return summary;
    }
    if (cron === DAILY_STATS_CRON) {
      // First: an address past its retention is erased even on a day the statistics fail.
      const erased = await eraseExpiredAddresses(conn.db, new Date(scheduledTime));
      log.info("cron.address_erasure", { erased, ms: Date.now() - started });
      await runDailyStats(conn.db, gates, new Date(scheduledTime), STATS_LIMITS, metrics);
      const purged = await purgeIdempotencyKeys(conn.db, new Date(scheduledTime));
      log.info("cron.idempotency_purge", { purged, ms: Date.now() - started });
      return undefined;
    }
    const updated = await syncTrialStatuses(conn.db, new Date(scheduledTime));
    await eachIsolated({ job: "trial-status-sync", idOf: (id) => id, metrics }, updated, (id) =>
      invalidateTrial(cache, id),
    );
    log.info("cron.trial_status_sync", { cron, updated: updated.length, ms: Date.now() - started });
    // The review deadline: strikes, reminders, and the journey's messages (0035).
    await runJourneyJobs(
      conn.db,
      notifications,
      new Date(scheduledTime),
      metrics,
      strikes &&
        ((userId) =>
          strikeRecorded(
            {
              db: conn.db,
              cache,
              revokeUntilNow: (id) => strikes.revokeUntilNow(id),
              waitUntil: (p) => strikes.waitUntil(p),
            },
            userId,
          )),
    );
    return undefined;
  } finally {
    await conn.close();
  }
}
