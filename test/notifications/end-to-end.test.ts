import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { DecisionEvent, GateEvent } from "../../core/first-come/types";
import { connect } from "../../db/client";
import { applications, notifications } from "../../db/schema";
import worker from "../../workers/index";
import { enqueueNotifications } from "../../workers/notifications/enqueue";
import { persistDecisions } from "../../workers/queues/decisions/handler";
import type { IncomingMessage } from "../../workers/queues/incoming-message";
import { wonDecision } from "../support/shared/decisions";
import { testConfig, waitFor, withDb } from "../support/workerd/db";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";
import { createMember, freshSlackId, slackMessages } from "../support/workerd/notifications";

const rowsFor = (applicationId: string) =>
  withDb((db) =>
    db.select().from(notifications).where(eq(notifications.applicationId, applicationId)),
  );

/** The decision event the gate emitted for a persisted application, rebuilt from its row. */
async function decisionEventFor(applicationId: string): Promise<DecisionEvent> {
  const [a] = await withDb((db) =>
    db.select().from(applications).where(eq(applications.id, applicationId)),
  );
  if (!a) throw new Error("application not persisted");
  return {
    v: 1,
    type: "application",
    eventId: crypto.randomUUID(),
    outcome: a.status === "WON" ? "WON" : "WAITLISTED",
    application: {
      id: a.id,
      trialId: a.trialId,
      userId: a.userId,
      seq: a.seq,
      status: a.status,
      position: a.position,
      note: a.note,
      appliedAt: a.appliedAt.getTime(),
      decidedAt: a.decidedAt.getTime(),
      version: a.version,
    },
  };
}

async function deliverDecisions(events: GateEvent[]) {
  const batch = createMessageBatch(
    "try-it-decisions",
    events.map((body, i) => ({ id: `d${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("result messages end to end", () => {
  it("tells a member who applies exactly once, through both queues, and never again on a redelivered event", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 1 });
    const winnerSlack = freshSlackId();
    const waitingSlack = freshSlackId();
    const winner = await createMember(winnerSlack);
    const waiting = await createMember(waitingSlack);

    const won = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: winner.token,
      body: {},
    });
    expect(won.status).toBe(201);
    const queued = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: waiting.token,
      body: {},
    });
    expect(queued.body.status).toBe("WAITLISTED");

    const [winnerMessage] = await waitFor(
      async () => {
        const { messages } = await slackMessages(winnerSlack);
        return messages.length > 0 ? messages : undefined;
      },
      { what: "the winner's Slack message" },
    );
    expect(winnerMessage!.text).toContain("You got a place");
    const [waitingMessage] = await waitFor(
      async () => {
        const { messages } = await slackMessages(waitingSlack);
        return messages.length > 0 ? messages : undefined;
      },
      { what: "the waitlisted member's Slack message" },
    );
    expect(waitingMessage!.text).toContain("You are number 1 on the waitlist");

    const [row] = await waitFor(async () => {
      const rows = await rowsFor(won.body.id);
      return rows[0]?.status === "SENT" ? rows : undefined;
    });
    expect(row).toMatchObject({ kind: "WON", status: "SENT", attempts: 1, channel: "dm" });

    // The same decision, delivered again twice (a queue redelivery and a duplicate).
    const event = await decisionEventFor(won.body.id);
    const again = await deliverDecisions([event, { ...event, eventId: crypto.randomUUID() }]);
    expect(again.explicitAcks.sort()).toEqual(["d0", "d1"]);
    await pause(1500);
    expect((await slackMessages(winnerSlack)).messages).toHaveLength(1);
    expect(await rowsFor(won.body.id)).toHaveLength(1);
  });

  it("queues a row again on redelivery when the first enqueue failed", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const member = await createMember(freshSlackId());
    const event = wonDecision(trial.id, member.id, 1);
    const config = testConfig();
    const sent: unknown[] = [];
    let queueUp = false;
    const queue = {
      sendBatch: async (messages: { body: unknown }[]) => {
        if (!queueUp) throw new Error("queue unavailable");
        sent.push(...messages.map((m) => m.body));
      },
    };
    const deliver = async () => {
      const outcome = { acked: false, retried: false };
      const message: IncomingMessage = {
        id: "d",
        body: event,
        attempts: 1,
        ack: () => {
          outcome.acked = true;
        },
        retry: () => {
          outcome.retried = true;
        },
      };
      await persistDecisions([message], {
        connect: () => connect(config.database),
        afterApplicationsWritten: (conn, events) =>
          enqueueNotifications(conn, queue, events).then(() => {}),
        deadLetter: async () => {
          throw new Error("nothing here is poison");
        },
        releasePlace: async () => {
          throw new Error("nothing here needs compensation");
        },
      });
      return outcome;
    };

    expect(await deliver()).toEqual({ acked: false, retried: true });
    const [pending] = await rowsFor(event.application.id);
    expect(pending).toMatchObject({ status: "PENDING", attempts: 0 });
    expect(sent).toEqual([]);

    queueUp = true;
    expect(await deliver()).toEqual({ acked: true, retried: false });
    expect(sent).toEqual([{ notificationId: pending!.id }]);
    expect(await rowsFor(event.application.id)).toHaveLength(1);
  });
});
