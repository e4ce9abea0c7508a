import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Application, DecisionEvent } from "../../core/first-come/types";
import { connect } from "../../db/client";
import worker from "../../workers";
import { persistDecisions } from "../../workers/queues/decisions/handler";
import type { IncomingMessage } from "../../workers/queues/incoming-message";
import { wonDecision } from "../support/shared/decisions";
import { testConfig } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { rowsOf } from "../support/workerd/gate";

const QUEUE = "try-it-decisions";

async function decisionsFor(count: number): Promise<DecisionEvent[]> {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company, { slots: count });
  const members = await createUsers("MEMBER", count);
  const now = Date.now();
  return members.map((m, i) => wonDecision(trial.id, m.id, i + 1, now));
}

function batchOf(events: unknown[], attempts = 1) {
  return createMessageBatch(
    QUEUE,
    events.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  );
}

async function deliver(batch: MessageBatch<unknown>, bindings: Env = env) {
  const ctx = createExecutionContext();
  await worker.queue(batch, bindings, ctx);
  return getQueueResult(batch, ctx);
}

describe("decisions consumer", () => {
  it("leaves one row per application when a batch is delivered twice", async () => {
    const events = await decisionsFor(3);
    const trialId = events[0]!.application.trialId;
    const first = await deliver(batchOf(events));
    expect(first.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    const second = await deliver(batchOf(events, 2));
    expect(second.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    expect(second.retryMessages).toEqual([]);
    const rows = await rowsOf(trialId);
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.id).sort()).toEqual(events.map((e) => e.application.id).sort());
  });

  it("keeps the newest version whatever the delivery order, duplicates in one batch included", async () => {
    const [event] = await decisionsFor(1);
    const v1 = event!;
    const v2: DecisionEvent = {
      ...v1,
      eventId: crypto.randomUUID(),
      application: {
        ...v1.application,
        status: "WAITLISTED",
        position: 1,
        version: 2,
      } as Application,
    };
    await deliver(batchOf([v2, v1, v2]));
    await deliver(batchOf([v1]));
    const [row] = await rowsOf(v1.application.trialId);
    expect(row).toMatchObject({ version: 2, status: "WAITLISTED", position: 1 });
  });

  it("retries every message with a backoff while the database is down, and they land once it is back", async () => {
    const events = await decisionsFor(2);
    const trialId = events[0]!.application.trialId;
    // Nothing listens on port 9: the driver cannot reach Postgres at all.
    const down = { ...env, PG_WS_PROXY: "127.0.0.1:9" } as Env;
    const failed = await deliver(batchOf(events), down);
    expect(failed.explicitAcks).toEqual([]);
    expect(failed.retryMessages.map((m: { msgId: string }) => m.msgId).sort()).toEqual([
      "m0",
      "m1",
    ]);
    expect(await rowsOf(trialId)).toHaveLength(0);

    const back = await deliver(batchOf(events, 2));
    expect(back.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(await rowsOf(trialId)).toHaveLength(2);
  });

  it("asks for growing delays on each retry while the database stays down", async () => {
    const events = await decisionsFor(1);
    const delays: (number | undefined)[] = [];
    for (const attempts of [1, 2, 3, 9, 20]) {
      const message: IncomingMessage = {
        id: "m",
        body: events[0],
        attempts,
        ack: () => {
          throw new Error("must not ack while the database is down");
        },
        retry: (options) => {
          delays.push(options?.delaySeconds);
        },
      };
      await persistDecisions([message], {
        connect: () => connect({ ...testConfig().database, wsProxy: "127.0.0.1:9" }),
        deadLetter: async () => {
          throw new Error("must not dead-letter a valid message");
        },
        releasePlace: async () => {
          throw new Error("must not release a place while the database is down");
        },
      });
    }
    expect(delays).toEqual([2, 4, 8, 300, 300]);
  });

  it("dead-letters a message that is not a decision, acks it, and still writes the rest", async () => {
    const events = await decisionsFor(1);
    const parked: { body: unknown; reason: string }[] = [];
    const messages: (IncomingMessage & { state?: string })[] = [
      { hello: "world" },
      { ...events[0], application: { ...events[0]!.application, seq: -1 } },
      events[0],
    ].map((body, i) => {
      const m: IncomingMessage & { state?: string } = {
        id: `m${i}`,
        body,
        attempts: 1,
        ack: () => {
          m.state = "ack";
        },
        retry: () => {
          m.state = "retry";
        },
      };
      return m;
    });
    const result = await persistDecisions(messages, {
      connect: () => connect(testConfig().database),
      deadLetter: async (body, reason) => {
        parked.push({ body, reason });
      },
      releasePlace: async () => {
        throw new Error("an invalid message holds no place to release");
      },
    });
    expect(result).toEqual({ written: 1, retried: 0, deadLettered: 2 });
    expect(messages.map((m) => m.state)).toEqual(["ack", "ack", "ack"]);
    expect(parked.map((p) => p.reason)).toEqual(["invalid gate event", "invalid gate event"]);
    expect(await rowsOf(events[0]!.application.trialId)).toHaveLength(1);
  });

  it("isolates a row the database refuses, retrying only that one", async () => {
    const events = await decisionsFor(2);
    // Same trial and seq as the first, different id: the (trial, seq) key refuses it.
    const clash: DecisionEvent = {
      ...events[1]!,
      eventId: crypto.randomUUID(),
      application: { ...events[1]!.application, id: crypto.randomUUID(), seq: 1 },
    };
    const result = await deliver(batchOf([events[0], clash, events[1]]));
    expect(result.explicitAcks.sort()).toEqual(["m0", "m2"]);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["m1"]);
    expect(await rowsOf(events[0]!.application.trialId)).toHaveLength(2);
  });
});
