import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import type { Outcome } from "../../../core/first-come/types";
import { notifications, users } from "../../../db/schema";
import worker from "../../../workers";
import type { ScriptedAnswer } from "../setup/fake-slack";
import { withDb } from "./db";
import { createTrial, createUser, type TestUser } from "./fixtures";

const NOTIFICATIONS_QUEUE = "try-it-notifications";
/** Must match test/support/setup/fake-slack.ts (that module runs in Node, not in workerd). */
export const FAKE_WEBHOOK_PATH = "/services/T000TEST/B000TEST/webhook-secret";
export const WEBHOOK_CHANNEL = "#webhook";

const fakeSlackUrl = () => env.SLACK_API_BASE_URL as string;

export interface FakeSlackMessage {
  channel: string;
  text: string;
  blocks: { type: string; text?: { text: string } }[];
  at: number;
  ts: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** Scripts the fake Slack's next answers for one channel (a Slack id, or the webhook). */
export async function scriptSlack(channel: string, answers: ScriptedAnswer[]): Promise<void> {
  const res = await fetch(`${fakeSlackUrl()}/__fake/script`, {
    method: "POST",
    body: JSON.stringify({ channel, answers }),
  });
  if (!res.ok) throw new Error(`fake slack script: ${res.status}`);
}

/** What the fake Slack accepted for a channel, and how many requests reached it. */
export async function slackMessages(
  channel: string,
): Promise<{ messages: FakeSlackMessage[]; calls: number }> {
  const res = await fetch(
    `${fakeSlackUrl()}/__fake/messages?channel=${encodeURIComponent(channel)}`,
  );
  return (await res.json()) as { messages: FakeSlackMessage[]; calls: number };
}

/** How many times a member's DM history was read (conversations.history) at the fake Slack. */
export async function slackLookups(slackId: string): Promise<number> {
  const res = await fetch(
    `${fakeSlackUrl()}/__fake/lookups?channel=${encodeURIComponent(slackId)}`,
  );
  return ((await res.json()) as { lookups: number }).lookups;
}

/** A Slack member id no other test uses, so each test owns its channel at the fake. */
export function freshSlackId(): string {
  return `U${crypto.randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase()}`;
}

export async function createMember(slackId: string | null): Promise<TestUser> {
  const member = await createUser("MEMBER");
  if (slackId) {
    await withDb((db) => db.update(users).set({ slackId }).where(eq(users.id, member.id)));
  }
  return member;
}

/** A PENDING notification row for a member, as the decisions consumer would leave it. */
export async function pendingNotification(member: TestUser, kind: Outcome = "WON") {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company);
  const [row] = await withDb((db) =>
    db
      .insert(notifications)
      .values({ userId: member.id, applicationId: crypto.randomUUID(), trialId: trial.id, kind })
      .returning(),
  );
  if (!row) throw new Error("no notification row");
  return row;
}

export const notificationRow = async (id: string) => {
  const [row] = await withDb((db) =>
    db.select().from(notifications).where(eq(notifications.id, id)),
  );
  if (!row) throw new Error(`notification ${id} is gone`);
  return row;
};

/** Hands the real Worker a notifications batch, as the queue would. */
export async function deliverNotifications(
  ids: string[],
  { attempts = 1, bindings = env }: { attempts?: number; bindings?: Env } = {},
) {
  const batch = createMessageBatch(
    NOTIFICATIONS_QUEUE,
    ids.map((notificationId, i) => ({
      id: `m${i}`,
      timestamp: new Date(),
      attempts,
      body: { notificationId },
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, bindings, ctx);
  const result = await getQueueResult(batch, ctx);
  return {
    acked: result.explicitAcks,
    retried: result.retryMessages.map((m: { msgId: string }) => m.msgId),
  };
}
