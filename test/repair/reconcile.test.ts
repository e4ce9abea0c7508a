import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { GateEvent } from "../../core/first-come/types";
import { applications, notifications } from "../../db/schema";
import worker from "../../workers/index";
import { RECONCILE_CRON } from "../../workers/scheduled";
import { RECONCILE_LIMITS } from "../../workers/scheduled/reconcile";
import { waitFor, withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { gateOf, recordingQueue, rowsOf, setQueue } from "../support/workerd/gate";
import { api } from "../support/workerd/http";
import { createMember, freshSlackId, slackMessages } from "../support/workerd/notifications";

interface Drift {
  trialId: string;
  repaired: number;
  conflicts: number;
  unknown: string[];
}

/** Log lines of one event name, parsed: the cron reports through its logs only. */
function logged<T>(spy: { mock: { calls: unknown[][] } }, event: string): T[] {
  return spy.mock.calls
    .map((args) => {
      try {
        return JSON.parse(String(args[0])) as { event?: string };
      } catch {
        return {};
      }
    })
    .filter((line) => line.event === event) as T[];
}

/**
 * Runs the reconcile cron tick after tick until it reports on `trialId`. Other test files
 * create trials at the same time, so which round-robin slice holds this one is not fixed.
 */
async function reconcileUntilChecked(trialId: string): Promise<Drift> {
  const warn = vi.spyOn(console, "warn");
  const base = Math.floor(Date.now() / RECONCILE_LIMITS.periodMs) * RECONCILE_LIMITS.periodMs;
  try {
    for (let tick = 0; tick < 40; tick++) {
      const ctx = createExecutionContext();
      await worker.scheduled(
        createScheduledController({
          cron: RECONCILE_CRON,
          scheduledTime: base + tick * RECONCILE_LIMITS.periodMs,
        }),
        env,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      const drift = logged<Drift>(warn, "reconcile.drift").find((d) => d.trialId === trialId);
      if (drift) return drift;
    }
    throw new Error("the reconcile cron never reached the trial");
  } finally {
    warn.mockRestore();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("reconciliation cron", () => {
  it("rewrites lost and stale rows from the gate's ledger, reports unknown ones, and is idempotent", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2, waitlistSize: 2 });
    const members = await createUsers("MEMBER", 5);
    const [m1, m2, m3, m4, stranger] = members as [
      (typeof members)[0],
      (typeof members)[0],
      (typeof members)[0],
      (typeof members)[0],
      (typeof members)[0],
    ];
    for (const m of [m1, m2, m3, m4]) {
      const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
        token: m.token,
        body: {},
      });
      expect(res.status).toBe(201);
    }
    // m1 gives up the place: m1 CANCELLED and m3 PROMOTED, both at version 2.
    expect(await gateOf(trial.id).withdraw(m1.id)).toMatchObject({ kind: "withdrawn" });
    await waitFor(
      async () => {
        const rows = await rowsOf(trial.id);
        return rows.length === 4 && rows.filter((r) => r.version === 2).length === 2
          ? rows
          : undefined;
      },
      { what: "the queue to persist all four applications" },
    );

    // Drift on purpose: a row lost, a row set back to an older version, a row nobody decided.
    const lostId = (await gateOf(trial.id).findApplication(m4.id))!.id;
    const staleId = (await gateOf(trial.id).findApplication(m1.id))!.id;
    const unknownId = crypto.randomUUID();
    await withDb(async (db) => {
      await db.delete(applications).where(eq(applications.id, lostId));
      await db
        .update(applications)
        .set({ status: "WON", version: 1 })
        .where(eq(applications.id, staleId));
      await db.insert(applications).values({
        id: unknownId,
        trialId: trial.id,
        userId: stranger.id,
        seq: 99,
        status: "WON",
        position: null,
        note: null,
        appliedAt: new Date(),
        decidedAt: new Date(),
        version: 1,
      });
    });

    const first = await reconcileUntilChecked(trial.id);
    expect(first).toMatchObject({ repaired: 2, conflicts: 0, unknown: [unknownId] });

    const ledger = await gateOf(trial.id).ledger(0, 500);
    const shape = (r: { id: string; seq: number; status: string; version: number }) => [
      r.id,
      r.seq,
      r.status,
      r.version,
    ];
    const rows = await rowsOf(trial.id);
    expect(rows.filter((r) => r.id !== unknownId).map(shape)).toEqual(ledger.map(shape));
    // Reported, never deleted.
    expect(rows.find((r) => r.id === unknownId)).toMatchObject({ userId: stranger.id, seq: 99 });

    // A second pass finds nothing to repair and writes nothing.
    const persistedAt = new Map(rows.map((r) => [r.id, r.persistedAt.getTime()]));
    const second = await reconcileUntilChecked(trial.id);
    expect(second).toMatchObject({ repaired: 0, conflicts: 0, unknown: [unknownId] });
    const after = await rowsOf(trial.id);
    expect(new Map(after.map((r) => [r.id, r.persistedAt.getTime()]))).toEqual(persistedAt);
  });

  it("logs a summary of every run", async () => {
    const info = vi.spyOn(console, "log");
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ cron: RECONCILE_CRON, scheduledTime: Date.now() }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const [summary] = logged<Record<string, unknown>>(info, "cron.reconcile");
    expect(summary).toMatchObject({
      cron: RECONCILE_CRON,
      trialsChecked: expect.any(Number),
      rowsRepaired: expect.any(Number),
      unknownRows: expect.any(Number),
      ms: expect.any(Number),
    });
    expect(summary!.trialsChecked as number).toBeLessThanOrEqual(RECONCILE_LIMITS.maxTrials);
  });

  it("announces a decision it restores exactly once: not again when the lost message arrives late, nor on the next run", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const slackId = freshSlackId();
    const member = await createMember(slackId);
    const stranger = await createUser("MEMBER");
    // The gate's queue keeps the decision: its message is "lost" until the test delivers it.
    const held: GateEvent[] = [];
    await setQueue(trial.id, recordingQueue(held));
    const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: member.token,
      body: {},
    });
    expect([res.status, res.body.status]).toEqual([201, "WON"]);
    expect(held.filter((e) => e.type === "application")).toHaveLength(1);
    // A row nobody decided keeps the trial in the drift report, so each run is seen to reach it.
    await withDb((db) =>
      db.insert(applications).values({
        id: crypto.randomUUID(),
        trialId: trial.id,
        userId: stranger.id,
        seq: 99,
        status: "WON",
        position: null,
        note: null,
        appliedAt: new Date(),
        decidedAt: new Date(),
        version: 1,
      }),
    );
    expect(await rowsOf(trial.id)).toHaveLength(1);

    expect(await reconcileUntilChecked(trial.id)).toMatchObject({ repaired: 1, conflicts: 0 });
    const [message] = await waitFor(
      async () => {
        const { messages } = await slackMessages(slackId);
        return messages.length > 0 ? messages : undefined;
      },
      { what: "the restored decision's Slack message" },
    );
    expect(message!.text).toContain("You got a place");
    const notified = () =>
      withDb((db) =>
        db.select().from(notifications).where(eq(notifications.applicationId, res.body.id)),
      );
    await waitFor(async () => ((await notified())[0]?.status === "SENT" ? true : undefined), {
      what: "the notification marked SENT",
    });

    // The lost message turns up after all, through the real consumer.
    const batch = createMessageBatch(
      "try-it-decisions",
      held.map((body, i) => ({ id: `late${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(held.length);

    expect(await reconcileUntilChecked(trial.id)).toMatchObject({ repaired: 0, conflicts: 0 });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await slackMessages(slackId)).messages).toHaveLength(1);
    expect(await notified()).toMatchObject([{ kind: "WON", status: "SENT", attempts: 1 }]);
  });
});
