import { expect, inject } from "vitest";
import { api } from "./client";
import { type TestUser, waitFor } from "./fixtures";

/**
 * The fake Slack (test/support/setup/fake-slack.ts) as the contract suite reads it, and a member's
 * Slack id linked the way a member links one: set it, read the code Slack got, type it back.
 */

const fakeSlack = inject("fakeSlack");

export interface SlackMessage {
  channel: string;
  text: string;
  at: number;
}

/** A Slack member id no other test uses (the accepted form is /^[UW][A-Z0-9]{2,20}$/). */
export const freshSlackId = () =>
  `U${crypto.randomUUID().replace(/-/g, "").slice(0, 12).toUpperCase()}`;

/** What the fake Slack accepted for a channel (a Slack id), and how many requests it got. */
export async function slackRecord(
  channel: string,
): Promise<{ messages: SlackMessage[]; calls: number }> {
  const res = await fetch(`${fakeSlack}/__fake/messages?channel=${encodeURIComponent(channel)}`);
  return (await res.json()) as { messages: SlackMessage[]; calls: number };
}

const CODE = /\bcode is (\d{6})\b/;

/** Every link code Slack delivered to `slackId`, oldest first. */
export async function slackCodes(slackId: string): Promise<string[]> {
  const { messages } = await slackRecord(slackId);
  return messages.flatMap((m) => CODE.exec(m.text)?.[1] ?? []);
}

/** The code of the `nth` (1-based) code message to `slackId`, once it has arrived. */
export function slackCode(slackId: string, nth = 1): Promise<string> {
  return waitFor(async () => (await slackCodes(slackId))[nth - 1], {
    what: `link code ${nth} in ${slackId}`,
  });
}

/** Sets `slackId` on the member's profile and proves it with the code: linked. */
export async function linkSlackId(member: TestUser, slackId = freshSlackId()): Promise<string> {
  const before = (await slackCodes(slackId)).length;
  const set = await api("PATCH", "/v1/users/me", { token: member.token, body: { slackId } });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  const code = await slackCode(slackId, before + 1);
  const verified = await api("POST", "/v1/users/me/slack/verify", {
    token: member.token,
    body: { code },
  });
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  expect(verified.body).toMatchObject({ slackId, pendingSlackId: null });
  return slackId;
}
