import type { Client } from "@neondatabase/serverless";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { JourneyMessage } from "../../core/vocabulary/journey";
import { connect } from "../../db/client";
import { notifications, strikes, winnerJourneys } from "../../db/schema";
import { SlackNotifier } from "../../workers/adapters/slack/notifier";
import { Pacer } from "../../workers/notifications/pacing";
import { sendNotifications } from "../../workers/queues/notifications/handler";
import { testConfig, withDb } from "../support/workerd/db";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";
import {
  applicationRow,
  DAY_MS,
  journeyOf,
  journeyRow,
  notificationsOf,
  recordingQueue,
  runJourneys,
} from "../support/workerd/journeys";
import {
  createMember,
  deliverNotifications,
  freshSlackId,
  notificationRow,
  slackLookups,
  slackMessages,
} from "../support/workerd/notifications";

const HOUR_MS = 3_600_000;

/** A shipped winner with a Slack id of their own, whose review is due in `dueInMs`. */
async function shippedWinner(dueInMs: number, extra: Parameters<typeof journeyRow>[2] = {}) {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company);
  const slackId = freshSlackId();
  const member = await createMember(slackId);
  const application = await applicationRow(trial.id, member);
  await journeyRow(application, dueInMs, extra);
  return { company, trial, slackId, member, application };
}

/**
 * A journey message recorded and already handed to the queue (updated_at past created_at),
 * so no other test's minute job queues it: these tests deliver it themselves.
 */
async function queuedMessage(
  winner: Awaited<ReturnType<typeof shippedWinner>>,
  kind: JourneyMessage,
  extra: Partial<typeof notifications.$inferInsert> = {},
) {
  const [row] = await withDb((db) =>
    db
      .insert(notifications)
      .values({
        userId: winner.member.id,
        applicationId: winner.application.id,
        trialId: winner.trial.id,
        kind,
        createdAt: new Date(Date.now() - 1000),
        updatedAt: new Date(),
        ...extra,
      })
      .returning(),
  );
  if (!row) throw new Error("no notification row");
  return row;
}

/** What the queue would deliver: every id the job queued, and (a redelivery) each row again. */
async function deliverAll(queued: string[], rowIds: string[]) {
  const mine = new Set(rowIds);
  const ids = [...new Set([...queued.filter((id) => mine.has(id)), ...rowIds])];
  if (ids.length === 0) return;
  await deliverNotifications(ids);
  await deliverNotifications(ids, { attempts: 2 });
}

/** A real connection whose `n`th statement throws (1: the batch read, 2: the claim, 3: …). */
async function failingOnStatement(failing: number) {
  const conn = await connect(testConfig().database);
  const client = (conn.db as typeof conn.db & { $client: Client }).$client;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let n = 0;
  client.query = ((...args: unknown[]) => {
    if (++n === failing) throw new Error("the process died here");
    return query(...args);
  }) as typeof client.query;
  return conn;
}

describe("review reminders", () => {
  it("records each reminder once and sends it once, however often the job runs", async () => {
    const inThreeDays = await shippedWinner(2.5 * DAY_MS);
    const tomorrow = await shippedWinner(12 * HOUR_MS);
    const later = await shippedWinner(10 * DAY_MS);
    const reviewed = await shippedWinner(2 * DAY_MS, { completedAt: new Date() });
    const all = [inThreeDays, tomorrow, later, reviewed];
    const ids = all.map((w) => w.application.id);

    const queue = recordingQueue();
    await runJourneys(queue);
    await runJourneys(queue);
    await Promise.all([runJourneys(queue), runJourneys(queue)]);

    const rows = await notificationsOf(ids);
    expect(rows.map((r) => [r.applicationId, r.kind]).sort()).toEqual(
      [
        [inThreeDays.application.id, "REVIEW_DUE_IN_3_DAYS"],
        [tomorrow.application.id, "REVIEW_DUE_IN_1_DAY"],
      ].sort(),
    );
    // Four runs queued each row once at most (the row marks it queued).
    for (const row of rows) expect(queue.ids.filter((id) => id === row.id).length).toBeLessThan(2);

    await deliverAll(
      queue.ids,
      rows.map((r) => r.id),
    );
    for (const w of [inThreeDays, tomorrow]) {
      const { messages } = await slackMessages(w.slackId);
      expect(messages).toHaveLength(1);
      expect(messages[0]?.text).toContain("Trial under test");
    }
    expect((await slackMessages(inThreeDays.slackId)).messages[0]?.text).toContain("due in 3 days");
    expect((await slackMessages(tomorrow.slackId)).messages[0]?.text).toContain("due tomorrow");
    for (const w of [later, reviewed])
      expect((await slackMessages(w.slackId)).messages).toEqual([]);
    for (const row of rows) expect((await notificationRow(row.id)).status).toBe("SENT");

    // A day and a half later the D-1 reminder is due too: recorded and sent once, as well.
    await withDb((db) =>
      db
        .update(winnerJourneys)
        .set({ reviewDueAt: new Date(Date.now() + 12 * HOUR_MS) })
        .where(eq(winnerJourneys.applicationId, inThreeDays.application.id)),
    );
    await runJourneys(queue);
    await runJourneys(queue);
    const dayBefore = await notificationsOf([inThreeDays.application.id], "REVIEW_DUE_IN_1_DAY");
    expect(dayBefore).toHaveLength(1);
    await deliverAll(
      queue.ids,
      dayBefore.map((r) => r.id),
    );
    const { messages } = await slackMessages(inThreeDays.slackId);
    expect(messages.map((m) => m.text.includes("due tomorrow"))).toEqual([false, true]);
  });

  it("a crash between Slack's answer and its record sends once: the retry finds the message by its metadata", async () => {
    const winner = await shippedWinner(12 * HOUR_MS);
    const row = await queuedMessage(winner, "REVIEW_DUE_IN_1_DAY");
    const config = testConfig();
    const retried: string[] = [];

    // Read (1), claim (2), send to Slack, and the process dies on the record (3).
    await sendNotifications(
      [
        {
          id: "m0",
          body: { notificationId: row.id },
          attempts: 1,
          ack: () => {
            throw new Error("nothing was recorded: no ack");
          },
          retry: () => retried.push(row.id),
        },
      ],
      {
        connect: () => failingOnStatement(3),
        notifier: new SlackNotifier(config.slack),
        pacer: new Pacer(),
      },
    );
    expect(retried).toEqual([row.id]);
    const crashed = await slackMessages(winner.slackId);
    expect(crashed.messages).toHaveLength(1);
    expect(crashed.messages[0]).toMatchObject({
      metadata: { event_type: "try_it_notification", event_payload: { notificationId: row.id } },
    });
    expect(await notificationRow(row.id)).toMatchObject({
      status: "PENDING",
      attempts: 1,
      lastError: null,
    });

    // The queue delivers it again: Slack's history has it, so it is marked, not sent.
    expect(await deliverNotifications([row.id], { attempts: 2 })).toEqual({
      acked: ["m0"],
      retried: [],
    });
    const after = await slackMessages(winner.slackId);
    expect(after.messages).toHaveLength(1);
    expect(after.calls).toBe(1);
    expect(await slackLookups(winner.slackId)).toBe(1);
    expect(await notificationRow(row.id)).toMatchObject({ status: "SENT", attempts: 2 });
  });

  it("looks up an attempt that failed on the network, and sends when Slack never got it", async () => {
    const winner = await shippedWinner(2.5 * DAY_MS);
    const row = await queuedMessage(winner, "REVIEW_DUE_IN_3_DAYS", {
      attempts: 1,
      lastError: "network: TimeoutError",
    });
    await deliverNotifications([row.id], { attempts: 2 });
    const { messages, calls } = await slackMessages(winner.slackId);
    expect([messages.length, calls, await slackLookups(winner.slackId)]).toEqual([1, 1, 1]);
    expect(await notificationRow(row.id)).toMatchObject({ status: "SENT", attempts: 2 });
  });

  it("a duplicated delivery of the same queue message sends once, in one batch or the next", async () => {
    const winner = await shippedWinner(2.5 * DAY_MS);
    const row = await queuedMessage(winner, "REVIEW_DUE_IN_3_DAYS");
    await deliverNotifications([row.id, row.id]);
    await deliverNotifications([row.id], { attempts: 2 });
    const { messages, calls } = await slackMessages(winner.slackId);
    expect([messages.length, calls]).toEqual([1, 1]);
    expect(await notificationRow(row.id)).toMatchObject({ status: "SENT", attempts: 1 });
  });
});

describe("missed review deadlines", () => {
  it("one strike and one STRIKE_RECORDED message, however often (and however concurrently) the job runs", async () => {
    const missed = await shippedWinner(-HOUR_MS);
    const inTime = await shippedWinner(-HOUR_MS, { completedAt: new Date(Date.now() - DAY_MS) });
    const queue = recordingQueue();
    await runJourneys(queue);
    await Promise.all([runJourneys(queue), runJourneys(queue)]);

    const journey = await journeyOf(missed.application.id);
    expect(journey?.missedAt).toBeInstanceOf(Date);
    expect(journey?.completedAt).toBeNull();
    const struck = await withDb((db) =>
      db.select().from(strikes).where(eq(strikes.applicationId, missed.application.id)),
    );
    expect(struck).toHaveLength(1);
    expect(struck[0]).toMatchObject({ userId: missed.member.id, trialId: missed.trial.id });
    const told = await notificationsOf([missed.application.id]);
    expect(told.map((n) => n.kind)).toEqual(["STRIKE_RECORDED"]);

    expect((await journeyOf(inTime.application.id))?.missedAt).toBeNull();
    const none = await withDb((db) =>
      db.select().from(strikes).where(eq(strikes.applicationId, inTime.application.id)),
    );
    expect(none).toEqual([]);

    await deliverAll(
      queue.ids,
      told.map((n) => n.id),
    );
    const { messages } = await slackMessages(missed.slackId);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toContain("a strike was recorded");
  });
});

describe("the SHIPPED message", () => {
  it("is queued by the job after the shipment and tells carrier and tracking number, once", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const slackId = freshSlackId();
    const application = await applicationRow(trial.id, await createMember(slackId));
    const shipped = await api(
      "PUT",
      `/v1/trials/${trial.id}/applications/${application.id}/shipment`,
      { token: company.token, body: { carrier: "DHL", trackingNumber: "JJD-77" } },
    );
    expect(shipped.status).toBe(200);
    const queue = recordingQueue();
    await runJourneys(queue);
    await runJourneys(queue);
    const [row] = await notificationsOf([application.id], "SHIPPED");
    if (!row) throw new Error("no SHIPPED row");
    await deliverAll(queue.ids, [row.id]);
    const { messages } = await slackMessages(slackId);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toContain("JJD-77");
    expect(messages[0]?.text).toContain("DHL");
  });
});
