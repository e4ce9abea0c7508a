import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { GateEvent } from "../../core/first-come/types";
import type { Labels, MetricName, Metrics } from "../../core/ports/metrics";
import { durableObjectGates } from "../../workers/adapters/cloudflare/gates";
import { RECONCILE_JOB, reconcileTrials } from "../../workers/scheduled/reconcile";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { gateOf, recordingQueue, rowsOf, setQueue } from "../support/workerd/gate";

/**
 * Issue 13, finding 7, for reconciliation: a gate holding an application Postgres refuses
 * (a note with U+0000, as the gate took them before finding 1 was fixed: Postgres text
 * cannot hold it) costs only that row. Every other lost row is restored, the refused one
 * is reported and counted, and the next run meets it again instead of giving up.
 */

function recordingMetrics() {
  const counted: { name: MetricName; labels: Labels; value: number }[] = [];
  const metrics: Metrics = {
    count: (name, labels, value = 1) => counted.push({ name, labels, value }),
    observe: () => {},
  };
  return { metrics, counted };
}

/** A trial whose gate decided for `notes.length` members while the queue lost every event. */
async function trialWithLostRows(notes: (string | null)[]): Promise<string> {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company, { slots: notes.length, waitlistSize: 0 });
  await setQueue(trial.id, recordingQueue([] as GateEvent[]));
  for (const note of notes) {
    const member = await createUser("MEMBER");
    const [result] = await gateOf(trial.id).applyMany([{ userId: member.id, note }]);
    expect(result?.kind).toBe("created");
  }
  return trial.id;
}

describe("reconciliation meets a row Postgres refuses", () => {
  it("restores every other lost row, reports and counts the refused one", async () => {
    const poisoned = await trialWithLostRows(["fine", "before\u0000after", null]);
    const healthy = await trialWithLostRows([null, "also fine"]);
    const { metrics, counted } = recordingMetrics();

    // One slice holding every trial, so this run reaches both whatever else exists.
    const limits = {
      maxTrials: 100_000,
      pageSize: 500,
      maxPages: 100_000,
      windowMs: 0,
      periodMs: 1,
    };
    const summary = await withDb(async (db) =>
      reconcileTrials(
        db,
        durableObjectGates(env.TRIAL_GATE),
        { sendBatch: async () => {} },
        new Date(),
        limits,
        metrics,
      ),
    );

    expect((await rowsOf(healthy)).map((r) => r.note)).toEqual([null, "also fine"]);
    // The poisoned trial's good rows are restored around the one Postgres refuses.
    expect((await rowsOf(poisoned)).map((r) => r.note)).toEqual(["fine", null]);
    expect(summary.rowsRepaired).toBeGreaterThanOrEqual(4);
    expect(counted).toContainEqual({
      name: "job_item_failures_total",
      labels: { job: RECONCILE_JOB },
      value: 1,
    });
  });
});
