import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { trialStats } from "../../../db/schema";
import worker from "../../../workers";
import { RECONCILE_CRON } from "../../../workers/scheduled";
import { withDb } from "./db";

/** The real scheduled entry, as Cloudflare calls it. */
export async function fireCron(cron: string, scheduledTime: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime }), env, ctx);
  await waitOnExecutionContext(ctx);
}

export const statsRowOf = async (trialId: string) => {
  const [row] = await withDb((db) =>
    db.select().from(trialStats).where(eq(trialStats.trialId, trialId)),
  );
  return row;
};

/**
 * Fires the 5-minute tick until every one of `trialIds` has a statistics row. Other test
 * files create trials at the same time, so how many ticks the incremental walk needs to
 * reach these is not fixed (each tick builds a bounded number of trials).
 */
export async function tickUntilBuilt(trialIds: string[], scheduledTime: number, maxTicks = 15) {
  for (let tick = 0; tick < maxTicks; tick++) {
    await fireCron(RECONCILE_CRON, scheduledTime);
    const rows = await Promise.all(trialIds.map(statsRowOf));
    if (rows.every((r) => r !== undefined)) return;
  }
  throw new Error("the stats cron never built the trials");
}
