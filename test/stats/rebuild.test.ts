import { env } from "cloudflare:workers";
import { inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { trialStats, trials } from "../../db/schema";
import { durableObjectGates } from "../../workers/adapters/cloudflare/gates";
import { RECONCILE_CRON } from "../../workers/scheduled";
import { DAILY_STATS_CRON } from "../../workers/scheduled/stats";
import { readCheckpoint } from "../../workers/scheduled/stats/checkpoints";
import {
  continueFullRebuild,
  FULL_REBUILD_JOB,
  type FullRebuildCursor,
  startFullRebuild,
} from "../../workers/scheduled/stats/jobs";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";
import { fireCron, statsRowOf } from "../support/workerd/stats";

/**
 * Trials the incremental job leaves alone (window long past, unchanged for years), so only
 * a full rebuild can build them. The gate keeps its own terms; only the catalog row ages.
 */
async function dormantTrials(count: number): Promise<string[]> {
  const company = await createUser("COMPANY");
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await createTrial(company)).id);
  await withDb(async (db) => {
    await db
      .update(trials)
      .set({
        opensAt: new Date("2000-01-01T00:00:00Z"),
        closesAt: new Date("2000-01-02T00:00:00Z"),
        updatedAt: new Date("2000-01-02T00:00:00Z"),
      })
      .where(inArray(trials.id, ids));
    await db.delete(trialStats).where(inArray(trialStats.trialId, ids));
  });
  return ids;
}

describe("full rebuild", () => {
  it("POST /v1/admin/stats/rebuild answers 202 and the following ticks build every trial", async () => {
    const ids = await dormantTrials(3);
    const admin = await createUser("ADMIN");
    const res = await api("POST", "/v1/admin/stats/rebuild", { token: admin.token, body: {} });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ state: "running", startedAt: expect.any(String) });

    // Ticks until the rebuild is done (another file's admin call may restart it: keep going).
    let cursor: FullRebuildCursor | null = null;
    for (let tick = 0; tick < 40; tick++) {
      await fireCron(RECONCILE_CRON, Date.now());
      cursor = await withDb((db) => readCheckpoint<FullRebuildCursor>(db, FULL_REBUILD_JOB));
      const rows = await Promise.all(ids.map(statsRowOf));
      if (cursor?.state === "done" && rows.every((r) => r !== undefined)) break;
    }
    expect(cursor?.state).toBe("done");
    for (const id of ids) expect(await statsRowOf(id), id).toMatchObject({ trialId: id });
  });

  it("the daily cron at 00:00 UTC starts a full rebuild and builds its first batch", async () => {
    await dormantTrials(1);
    const midnight = Date.UTC(2026, 10, 24);
    await fireCron(DAILY_STATS_CRON, midnight);
    const cursor = await withDb((db) => readCheckpoint<FullRebuildCursor>(db, FULL_REBUILD_JOB));
    expect(cursor).toMatchObject({ startedAt: new Date(midnight).toISOString() });
    expect(cursor?.trials).toBeGreaterThan(0);
  });

  it("walks all trials in bounded batches over several ticks, resuming from its checkpoint", async () => {
    const mine = await dormantTrials(3);
    const job = `stats:full-rebuild:test-${crypto.randomUUID()}`;
    const gates = durableObjectGates(env.TRIAL_GATE);
    const { existing, batchSize } = await withDb(async (db) => {
      const rows = await db.select({ id: trials.id }).from(trials);
      // At least three batches whatever other files have created so far.
      return {
        existing: rows.map((r) => r.id),
        batchSize: Math.max(2, Math.ceil(rows.length / 3)),
      };
    });
    expect(existing.length).toBeGreaterThan(batchSize);

    const visited: string[] = [];
    let ticks = 0;
    await withDb((db) => startFullRebuild(db, new Date(), job));
    for (;;) {
      const run = await withDb((db) =>
        continueFullRebuild(db, gates, new Date(), { batchSize }, job),
      );
      if (!run) throw new Error("the rebuild stopped without finishing");
      ticks++;
      expect(run.trialIds.length).toBeLessThanOrEqual(batchSize);
      // Resumes after the last trial it built: ids only ever grow, nothing is rebuilt.
      if (visited.length > 0 && run.trialIds.length > 0) {
        expect(run.trialIds[0]! > visited.at(-1)!).toBe(true);
      }
      visited.push(...run.trialIds);
      const cursor = await withDb((db) => readCheckpoint<FullRebuildCursor>(db, job));
      if (run.done) {
        expect(cursor).toMatchObject({ state: "done", trials: visited.length });
        break;
      }
      expect(cursor).toMatchObject({ state: "running", after: run.trialIds.at(-1) });
      if (ticks > 50) throw new Error("the rebuild never finished");
    }
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(new Set(visited).size).toBe(visited.length);
    expect(visited).toEqual(expect.arrayContaining(existing));
    for (const id of mine) expect(await statsRowOf(id), id).toBeDefined();
    await withDb((db) => db.execute(sql`DELETE FROM stats_checkpoints WHERE job = ${job}`));
  });
});
