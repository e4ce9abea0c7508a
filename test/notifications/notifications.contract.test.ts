import { describe, expect, inject, it } from "vitest";
import { api } from "../support/contract/client";
import { createTrial, createUser, type TestUser, waitFor } from "../support/contract/fixtures";
import { linkSlackId, slackCodes, slackRecord } from "../support/contract/slack";

// API.md "Notifications": one Slack message per outcome (WON, WAITLISTED, PROMOTED,
// CANCELLED, TRIAL_CANCELLED) to the member's Slack id, never twice, and the member sees each
// one in GET /v1/me/notifications. Everything here is asynchronous on both runtimes: waitFor.

const fakeSlack = inject("fakeSlack");

interface Notification {
  id: string;
  kind: string;
  applicationId: string;
  status: string;
  attempts: number;
  sentAt: string | null;
}

/** A member whose Slack id is linked through the API, as a real member would (code and all). */
async function memberOnSlack(): Promise<TestUser & { slackId: string }> {
  const member = await createUser("MEMBER");
  return { ...member, slackId: await linkSlackId(member) };
}

/** Result messages only: the link code the member was sent first is not one. */
async function resultRecord(channel: string) {
  const { messages, calls } = await slackRecord(channel);
  const codes = (await slackCodes(channel)).length;
  return {
    messages: messages.filter((m) => !/\bcode is \d{6}\b/.test(m.text)),
    calls: calls - codes,
  };
}

async function scriptSlack(channel: string, answers: { status: number; retryAfter?: number }[]) {
  const res = await fetch(`${fakeSlack}/__fake/script`, {
    method: "POST",
    body: JSON.stringify({ channel, answers }),
  });
  expect(res.status).toBe(200);
}

async function apply(trialId: string, member: TestUser) {
  const res = await api("POST", `/v1/trials/${trialId}/applications`, {
    token: member.token,
    body: {},
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; status: string };
}

async function myNotifications(member: TestUser): Promise<Notification[]> {
  const res = await api("GET", "/v1/me/notifications", { token: member.token });
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Waits until the member has notifications of exactly `kinds`, all SENT, and returns them. */
function sentNotifications(member: TestUser, kinds: string[], timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const items = await myNotifications(member);
      const done =
        items.length === kinds.length &&
        items.every((n) => n.status === "SENT") &&
        [...items.map((n) => n.kind)].sort().join() === [...kinds].sort().join();
      return done ? items : undefined;
    },
    { timeoutMs, what: `${kinds.join("+")} SENT for ${member.id}` },
  );
}

/** Waits until the fake Slack holds `count` messages for the channel. */
function slackMessages(channel: string, count: number, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const { messages } = await resultRecord(channel);
      return messages.length >= count ? messages : undefined;
    },
    { timeoutMs, what: `${count} Slack message(s) in ${channel}` },
  );
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A trial with one place and one waitlist place, taken by `winner` then `waiting`. */
async function fullTrial(winner: TestUser, waiting: TestUser) {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company, { slots: 1, waitlistSize: 1 });
  const won = await apply(trial.id, winner);
  const queued = await apply(trial.id, waiting);
  expect([won.status, queued.status]).toEqual(["WON", "WAITLISTED"]);
  return { company, trial, won, queued };
}

describe("Slack result messages", () => {
  it("WON and WAITLISTED: exactly one message each in the member's channel, listed as SENT after one attempt", async () => {
    const [winner, waiting] = await Promise.all([memberOnSlack(), memberOnSlack()]);
    const { won, queued } = await fullTrial(winner, waiting);

    for (const [member, application, kind] of [
      [winner, won, "WON"],
      [waiting, queued, "WAITLISTED"],
    ] as const) {
      const [item] = await sentNotifications(member, [kind]);
      expect(item).toEqual({
        id: expect.any(String),
        kind,
        applicationId: application.id,
        status: "SENT",
        attempts: 1,
        sentAt: expect.any(String),
      });
      expect(Date.parse(item!.sentAt!)).not.toBeNaN();
      const [message] = await slackMessages(member.slackId, 1);
      expect(message!.text).toContain("Trial under test");
    }

    // Nothing arrives a second time for the same outcome.
    await pause(2000);
    for (const member of [winner, waiting]) {
      expect((await resultRecord(member.slackId)).messages).toHaveLength(1);
    }
  });

  it("withdrawing the WON place: CANCELLED for the winner, PROMOTED for the one waiting", async () => {
    const [winner, waiting] = await Promise.all([memberOnSlack(), memberOnSlack()]);
    const { trial, won, queued } = await fullTrial(winner, waiting);

    const withdrawn = await api("DELETE", `/v1/trials/${trial.id}/applications/me`, {
      token: winner.token,
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe("CANCELLED");

    const winnerRows = await sentNotifications(winner, ["WON", "CANCELLED"]);
    const waitingRows = await sentNotifications(waiting, ["WAITLISTED", "PROMOTED"]);
    expect(new Set(winnerRows.map((n) => n.applicationId))).toEqual(new Set([won.id]));
    expect(new Set(waitingRows.map((n) => n.applicationId))).toEqual(new Set([queued.id]));
    expect(await slackMessages(winner.slackId, 2)).toHaveLength(2);
    expect(await slackMessages(waiting.slackId, 2)).toHaveLength(2);
  });

  it("cancelling the trial: TRIAL_CANCELLED for every holder, WON and WAITLISTED", async () => {
    const [winner, waiting] = await Promise.all([memberOnSlack(), memberOnSlack()]);
    const { company, trial } = await fullTrial(winner, waiting);

    const cancelled = await api("POST", `/v1/trials/${trial.id}/cancel`, {
      token: company.token,
      body: {},
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("CANCELLED");

    await sentNotifications(winner, ["WON", "TRIAL_CANCELLED"]);
    await sentNotifications(waiting, ["WAITLISTED", "TRIAL_CANCELLED"]);
    expect(await slackMessages(winner.slackId, 2)).toHaveLength(2);
    expect(await slackMessages(waiting.slackId, 2)).toHaveLength(2);
  });

  it("a 429 with Retry-After is waited out and retried: one message, SENT on the second attempt", async () => {
    const member = await memberOnSlack();
    const retryAfterSeconds = 2;
    await scriptSlack(member.slackId, [{ status: 429, retryAfter: retryAfterSeconds }]);
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const appliedAt = Date.now();
    const application = await apply(trial.id, member);

    const [row] = await sentNotifications(member, ["WON"]);
    expect(row).toMatchObject({ applicationId: application.id, status: "SENT", attempts: 2 });
    const { messages, calls } = await resultRecord(member.slackId);
    expect(calls).toBe(2);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.at - appliedAt).toBeGreaterThanOrEqual(retryAfterSeconds * 1000);
  });
});
