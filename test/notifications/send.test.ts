import { env } from "cloudflare:workers";
import type { Client } from "@neondatabase/serverless";
import { describe, expect, it } from "vitest";
import { connect, DatabaseUnavailableError } from "../../db/client";
import { SlackNotifier } from "../../workers/adapters/slack/notifier";
import { Pacer } from "../../workers/notifications/pacing";
import type { IncomingMessage } from "../../workers/queues/incoming-message";
import { sendNotifications } from "../../workers/queues/notifications/handler";
import { testConfig } from "../support/workerd/db";
import {
  createMember,
  deliverNotifications,
  FAKE_WEBHOOK_PATH,
  freshSlackId,
  notificationRow,
  pendingNotification,
  scriptSlack,
  slackMessages,
  WEBHOOK_CHANNEL,
} from "../support/workerd/notifications";

/** One delivery straight into the consumer, recording the delay it asks the queue for. */
async function deliverRecording(notificationId: string, attempts = 1) {
  const outcome: { acked: boolean; delaySeconds?: number | undefined; retried: boolean } = {
    acked: false,
    retried: false,
  };
  const message: IncomingMessage = {
    id: "m",
    body: { notificationId },
    attempts,
    ack: () => {
      outcome.acked = true;
    },
    retry: (options) => {
      outcome.retried = true;
      outcome.delaySeconds = options?.delaySeconds;
    },
  };
  const config = testConfig();
  await sendNotifications([message], {
    connect: () => connect(config.database),
    notifier: new SlackNotifier(config.slack),
    pacer: new Pacer(),
  });
  return outcome;
}

/** A real connection that calls `onQuery` (which may throw) before each statement it sends. */
async function watchedConnection(onQuery: (n: number) => void) {
  const conn = await connect(testConfig().database);
  const client = (conn.db as typeof conn.db & { $client: Client }).$client;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let n = 0;
  client.query = ((...args: unknown[]) => {
    onQuery(++n);
    return query(...args);
  }) as typeof client.query;
  return conn;
}

describe("notifications consumer against a Slack that checks requests", () => {
  it("waits out a 429 for at least Retry-After, then sends exactly one message", async () => {
    const slackId = freshSlackId();
    const member = await createMember(slackId);
    const row = await pendingNotification(member, "WON");
    await scriptSlack(slackId, [{ status: 429, retryAfter: 7 }]);

    const first = await deliverRecording(row.id);
    expect(first).toMatchObject({ acked: false, retried: true });
    expect(first.delaySeconds).toBeGreaterThanOrEqual(7);
    expect(await notificationRow(row.id)).toMatchObject({ status: "PENDING", attempts: 1 });

    const second = await deliverNotifications([row.id], { attempts: 2 });
    expect(second).toEqual({ acked: ["m0"], retried: [] });
    const sent = await notificationRow(row.id);
    expect(sent).toMatchObject({ status: "SENT", attempts: 2, channel: "dm", lastError: null });
    expect(sent.sentAt).toBeInstanceOf(Date);
    const { messages, calls } = await slackMessages(slackId);
    expect(calls).toBe(2);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toContain("Trial under test");
  });

  it("backs off after two 500s and sends one message on the third attempt", async () => {
    const slackId = freshSlackId();
    const row = await pendingNotification(await createMember(slackId), "WAITLISTED");
    await scriptSlack(slackId, [{ status: 500 }, { status: 503 }]);

    const delays: (number | undefined)[] = [];
    for (const attempts of [1, 2]) {
      const outcome = await deliverRecording(row.id, attempts);
      expect(outcome.retried).toBe(true);
      delays.push(outcome.delaySeconds);
    }
    expect(delays[0]).toBeGreaterThan(0);
    expect(delays[1]).toBeGreaterThan(delays[0]!);

    expect(await deliverNotifications([row.id], { attempts: 3 })).toEqual({
      acked: ["m0"],
      retried: [],
    });
    expect(await notificationRow(row.id)).toMatchObject({ status: "SENT", attempts: 3 });
    const { messages, calls } = await slackMessages(slackId);
    expect(calls).toBe(3);
    expect(messages).toHaveLength(1);
  });

  it("reads and claims a batch in one statement each: N messages cost N + 2 queries", async () => {
    const members = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const slackId = freshSlackId();
        return { slackId, row: await pendingNotification(await createMember(slackId)) };
      }),
    );
    const done = await pendingNotification(await createMember(freshSlackId()));
    await deliverNotifications([done.id]); // already SENT: acked from the batch read, no send

    const config = testConfig();
    let queries = 0;
    const acked: string[] = [];
    const messages: IncomingMessage[] = [...members.map((m) => m.row), done].map((row) => ({
      id: row.id,
      body: { notificationId: row.id },
      attempts: 1,
      ack: () => acked.push(row.id),
      retry: () => {
        throw new Error(`unexpected retry of ${row.id}`);
      },
    }));
    const tally = await sendNotifications(messages, {
      connect: () =>
        watchedConnection(() => {
          queries++;
        }),
      notifier: new SlackNotifier(config.slack),
      pacer: new Pacer(),
    });

    expect(tally).toMatchObject({ sent: 5, acked: 1, retried: 0 });
    expect(acked.sort()).toEqual(messages.map((m) => m.id).sort());
    // One read, one claim, one outcome per send (it was three per message).
    expect(queries).toBe(5 + 2);
    for (const { slackId, row } of members) {
      expect((await slackMessages(slackId)).messages).toHaveLength(1);
      expect(await notificationRow(row.id)).toMatchObject({ status: "SENT", attempts: 1 });
    }
    expect(await notificationRow(done.id)).toMatchObject({ status: "SENT", attempts: 1 });
  });

  it("sends nothing and retries the whole batch when the batch claim fails", async () => {
    const slackIds = [freshSlackId(), freshSlackId()];
    const rows = await Promise.all(
      slackIds.map(async (id) => pendingNotification(await createMember(id))),
    );
    const retried: string[] = [];
    const tally = await sendNotifications(
      rows.map((row) => ({
        id: row.id,
        body: { notificationId: row.id },
        attempts: 1,
        ack: () => {
          throw new Error(`unexpected ack of ${row.id}`);
        },
        retry: () => retried.push(row.id),
      })),
      {
        // The read goes through; the claim (the second statement) finds Postgres gone.
        connect: () =>
          watchedConnection((n) => {
            if (n === 2) throw new DatabaseUnavailableError(new Error("connection lost"));
          }),
        notifier: new SlackNotifier(testConfig().slack),
        pacer: new Pacer(),
      },
    );
    expect(tally).toMatchObject({ sent: 0, retried: 2 });
    expect(retried.sort()).toEqual(rows.map((r) => r.id).sort());
    for (const [i, id] of slackIds.entries()) {
      expect((await slackMessages(id)).messages).toHaveLength(0);
      expect(await notificationRow(rows[i]!.id)).toMatchObject({ status: "PENDING", attempts: 0 });
    }
  });

  it("never sends twice for a redelivered message, in one batch or in the next", async () => {
    const slackId = freshSlackId();
    const row = await pendingNotification(await createMember(slackId));
    const first = await deliverNotifications([row.id, row.id]);
    expect(first.acked.sort()).toEqual(["m0", "m1"]);
    const again = await deliverNotifications([row.id], { attempts: 2 });
    expect(again).toEqual({ acked: ["m0"], retried: [] });
    expect((await slackMessages(slackId)).messages).toHaveLength(1);
    expect(await notificationRow(row.id)).toMatchObject({ status: "SENT", attempts: 1 });
  });

  it("ends FAILED after exactly one attempt when the bot token is wrong, without a retry", async () => {
    const slackId = freshSlackId();
    const row = await pendingNotification(await createMember(slackId));
    const wrongToken = { ...env, SLACK_BOT_TOKEN: "xoxb-not-the-right-token" } as Env;
    const result = await deliverNotifications([row.id], { bindings: wrongToken });
    expect(result).toEqual({ acked: ["m0"], retried: [] });
    expect(await notificationRow(row.id)).toMatchObject({
      status: "FAILED",
      attempts: 1,
      lastError: "invalid_auth",
      sentAt: null,
    });
    // A later redelivery does not try again either.
    await deliverNotifications([row.id], { attempts: 2 });
    expect((await notificationRow(row.id)).attempts).toBe(1);
    expect((await slackMessages(slackId)).messages).toHaveLength(0);
  });

  it("gives up at once on channel_not_found", async () => {
    const slackId = freshSlackId();
    const row = await pendingNotification(await createMember(slackId), "PROMOTED");
    await scriptSlack(slackId, [{ error: "channel_not_found" }]);
    expect(await deliverNotifications([row.id])).toEqual({ acked: ["m0"], retried: [] });
    expect(await notificationRow(row.id)).toMatchObject({
      status: "FAILED",
      attempts: 1,
      lastError: "channel_not_found",
    });
    expect(await slackMessages(slackId)).toEqual({ messages: [], calls: 1 });
  });

  it("marks FAILED instead of retrying on the queue's last delivery", async () => {
    const slackId = freshSlackId();
    const row = await pendingNotification(await createMember(slackId));
    await scriptSlack(slackId, [{ status: 500 }]);
    const outcome = await deliverRecording(row.id, 11);
    expect(outcome).toMatchObject({ acked: true, retried: false });
    expect(await notificationRow(row.id)).toMatchObject({ status: "FAILED", attempts: 1 });
  });

  it("skips a member with no Slack id when no webhook is configured, sending nothing", async () => {
    const member = await createMember(null);
    const row = await pendingNotification(member);
    expect(await deliverNotifications([row.id])).toEqual({ acked: ["m0"], retried: [] });
    expect(await notificationRow(row.id)).toMatchObject({
      status: "SKIPPED",
      channel: null,
      sentAt: null,
    });
  });

  it("posts to the webhook with a mention (or the plain name), paced about a second apart", async () => {
    const slackId = freshSlackId();
    const mentioned = await pendingNotification(await createMember(slackId), "WON");
    const unnamed = await pendingNotification(await createMember(null), "TRIAL_CANCELLED");
    const webhookOnly = {
      ...env,
      SLACK_BOT_TOKEN: "",
      SLACK_WEBHOOK_URL: `${env.SLACK_API_BASE_URL}${FAKE_WEBHOOK_PATH}`,
    } as Env;
    const result = await deliverNotifications([mentioned.id, unnamed.id], {
      bindings: webhookOnly,
    });
    expect(result.acked.sort()).toEqual(["m0", "m1"]);
    expect(await notificationRow(mentioned.id)).toMatchObject({
      status: "SENT",
      channel: "webhook",
    });
    expect(await notificationRow(unnamed.id)).toMatchObject({ status: "SENT", channel: "webhook" });

    const { messages } = await slackMessages(WEBHOOK_CHANNEL);
    const withMention = messages.find((m) => m.text.includes(`<@${slackId}>`));
    expect(withMention?.text).toContain("You got a place");
    const byName = messages.find(
      (m) => m.text.includes("The trial was cancelled") && m.at >= (withMention?.at ?? 0),
    );
    expect(byName?.text).toMatch(/^MEMBER [0-9a-f]{8}: /);
    expect(byName!.at - withMention!.at).toBeGreaterThanOrEqual(900);
  });
});
