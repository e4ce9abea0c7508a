import { env } from "cloudflare:workers";
import { eq, inArray, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { Labels, MetricName, Metrics } from "../../core/ports/metrics";
import { trialStats, trials } from "../../db/schema";
import { durableObjectGates } from "../../workers/adapters/cloudflare/gates";
import {
  continueFullRebuild,
  runIncrementalStats,
  STATS_LIMITS,
  startFullRebuild,
} from "../../workers/scheduled/stats/jobs";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { gateOf } from "../support/workerd/gate";
import { statsRowOf } from "../support/workerd/stats";

/**
 * Issue 13, finding 7: one trial a statistics batch trips on (its gate holds an opening time
 * in year 0000, as a PATCH left it before finding 2 was fixed: Postgres refuses that year,
 * 22008) must cost only that trial. Before, the batch's one upsert threw, the job's cursor
 * never moved, and no trial in the batch nor after it got statistics.
 */

const HOUR = 3_600_000;

function recordingMetrics() {
  const counted: { name: MetricName; labels: Labels; value: number }[] = [];
  const metrics: Metrics = {
    count: (name, labels, value = 1) => counted.push({ name, labels, value }),
    observe: () => {},
  };
  return { metrics, counted };
}

/** A trial whose gate holds an opening time no Postgres timestamp can take. */
async function poisonedTrial(): Promise<string> {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company, {
    slots: 3,
    waitlistSize: 0,
    opensAt: new Date(Date.now() + HOUR),
    closesAt: new Date(Date.now() + 2 * HOUR),
  });
  const gate = gateOf(trial.id);
  const configured = await gate.configure({
    trialId: trial.id,
    slots: 3,
    waitlistSize: 0,
    opensAt: Date.parse("0000-01-01T00:00:00Z"),
    closesAt: Date.now() + 2 * HOUR,
  });
  expect(configured.kind).toBe("configured");
  return trial.id;
}

async function healthyTrials(count: number): Promise<string[]> {
  const company = await createUser("COMPANY");
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await createTrial(company)).id);
  return ids;
}

const forget = (ids: string[]) =>
  withDb((db) => db.delete(trialStats).where(inArray(trialStats.trialId, ids)));

describe("a poisoned trial in a statistics batch", () => {
  const leftovers: string[] = [];
  const jobs: string[] = [];
  afterEach(async () => {
    // The poison stays out of other files' walks.
    await withDb(async (db) => {
      if (leftovers.length) await db.delete(trials).where(inArray(trials.id, leftovers.splice(0)));
      for (const job of jobs.splice(0)) {
        await db.execute(sql`DELETE FROM stats_checkpoints WHERE job = ${job}`);
      }
    });
  });

  it("a full rebuild builds every other trial, reports the poisoned one and finishes", async () => {
    const poison = await poisonedTrial();
    leftovers.push(poison);
    const healthy = await healthyTrials(3);
    await forget([poison, ...healthy]);
    const job = `stats:full-rebuild:test-${crypto.randomUUID()}`;
    jobs.push(job);
    const gates = durableObjectGates(env.TRIAL_GATE);
    const { metrics, counted } = recordingMetrics();

    let failed = 0;
    await withDb((db) => startFullRebuild(db, new Date(), job));
    for (let tick = 0; ; tick++) {
      const run = await withDb((db) =>
        continueFullRebuild(db, gates, new Date(), STATS_LIMITS, job, metrics),
      );
      if (!run) throw new Error("the rebuild stopped without finishing");
      failed += run.failed;
      if (run.done) break;
      if (tick > 100) throw new Error("the rebuild never finished");
    }
    for (const id of healthy) expect(await statsRowOf(id), id).toMatchObject({ trialId: id });
    expect(await statsRowOf(poison)).toBeUndefined();
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(counted).toContainEqual({
      name: "job_item_failures_total",
      labels: { job },
      value: 1,
    });
  });

  it("the incremental job builds the rest of its batch and moves on", async () => {
    const poison = await poisonedTrial();
    leftovers.push(poison);
    const healthy = await healthyTrials(2);
    await forget([poison, ...healthy]);
    const gates = durableObjectGates(env.TRIAL_GATE);
    // Every trial changed in the last minute is in this walk: several ticks may be needed.
    for (let tick = 0; tick < 20; tick++) {
      await withDb((db) => runIncrementalStats(db, gates, new Date(), STATS_LIMITS));
      const rows = await Promise.all(healthy.map(statsRowOf));
      if (rows.every((r) => r !== undefined)) break;
    }
    for (const id of healthy) expect(await statsRowOf(id), id).toBeDefined();
    const [row] = await withDb((db) => db.select().from(trials).where(eq(trials.id, poison)));
    expect(row?.id).toBe(poison);
  });
});
