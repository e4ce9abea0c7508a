import { describeError, log } from "../../../core/log";
import { type Metrics, noMetrics } from "../../../core/ports/metrics";
import type { Database } from "../../../db/client";
import { isDatabaseUnavailable } from "../../../db/client";
import type { NotificationQueue } from "../../queues/notifications/message";
import { recordMissedDeadlines } from "./missed-deadlines";
import { queueJourneyMessages } from "./queue-messages";
import { recordReviewReminders } from "./reminders";

/**
 * The review deadline's minute job, on both runtimes (Cloudflare's minute Cron Trigger, and
 * Deno.cron's minute job: both call runScheduled): missed deadlines become strikes, due
 * reminders are recorded, and every journey message not yet tried goes to the notifications
 * queue. A job, not a timer per journey: the rows are the schedule, so a restart, a lost
 * timer or a second run changes nothing (docs/decisions/0035). Each step on its own: a
 * failed step is logged and the next still runs; the next minute tries again.
 */
export async function runJourneyJobs(
  db: Database,
  notifications: NotificationQueue,
  now: Date,
  metrics: Metrics = noMetrics,
  /**
   * Called once per new strike, after it committed, with the member struck: where the
   * runtime ends a newly restricted member's tokens (workers/strikes/restriction-change.ts
   * strikeRecorded, which never throws). A strike recorded stays recorded either way.
   */
  strikeRecorded: (userId: string) => Promise<unknown> = async () => {},
): Promise<{ missed: number; reminders: number; queued: number }> {
  const started = Date.now();
  const missed = await step("missed-deadlines", async () => {
    const struck = await recordMissedDeadlines(db, now, metrics);
    for (const userId of struck) await strikeRecorded(userId);
    return struck.length;
  });
  const reminders = await step("review-reminders", () => recordReviewReminders(db, now));
  const queued = await step("journey-messages", () => queueJourneyMessages(db, notifications));
  const summary = { missed, reminders, queued };
  log.info("cron.journeys", { ...summary, ms: Date.now() - started });
  return summary;
}

async function step(job: string, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw err;
    log.error("cron.failed", { job, error: describeError(err) });
    return 0;
  }
}
