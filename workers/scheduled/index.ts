import type { Cache } from "../../core/ports/cache";
import { connect, type DatabaseConfig } from "../../db/client";
import { invalidateTrial } from "../cache/invalidate";
import { log } from "../lib/log";
import { syncTrialStatuses } from "./trial-status-sync";

/** Cron expression (as in wrangler.toml) → the jobs it runs. */
export async function runScheduled(
  cron: string,
  scheduledTime: number,
  database: DatabaseConfig,
  cache: Cache,
) {
  const started = Date.now();
  const conn = await connect(database);
  try {
    const updated = await syncTrialStatuses(conn.db, new Date(scheduledTime));
    await Promise.all(updated.map((id) => invalidateTrial(cache, id)));
    log.info("cron.trial_status_sync", { cron, updated: updated.length, ms: Date.now() - started });
  } finally {
    await conn.close();
  }
}
