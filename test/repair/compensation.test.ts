import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { GateEvent } from "../../core/first-come/types";
import { users } from "../../db/schema";
import { cloudflareDecisionQueue } from "../../durable-objects/trial-gate/decision-queue";
import worker from "../../workers/index";
import { MAX_ATTEMPTS } from "../../workers/queues/decisions/compensation";
import { persistDecisions } from "../../workers/queues/decisions/handler";
import { waitFor, withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { gateOf, recordingQueue, rowsOf, setQueue } from "../support/workerd/gate";
import { api } from "../support/workerd/http";
import { applicationEvents, messageOf, recordingDeps } from "../support/workerd/repair";

const hour = 3_600_000;

/** One slot, one waitlist place; A wins and B waits, their events held back in `recorded`. */
async function winnerAndWaiter() {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company, { slots: 1, waitlistSize: 1 });
  const [a, b] = await createUsers("MEMBER", 2);
  const recorded: GateEvent[] = [];
  await setQueue(trial.id, recordingQueue(recorded));
  for (const member of [a!, b!]) {
    const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: member.token,
      body: {},
    });
    expect(res.status).toBe(201);
  }
  await gateOf(trial.id).flushOutbox();
  return { trial, a: a!, b: b!, recorded };
}

describe("compensation for a member whose account is gone", () => {
  it("releases the deleted member's place to the waitlist, dead-letters the message and acks it", async () => {
    const { trial, a, b, recorded } = await winnerAndWaiter();
    expect(applicationEvents(recorded).map((e) => e.application.status)).toEqual([
      "WON",
      "WAITLISTED",
    ]);
    // From here on the gate's events travel the real queue to the real consumer.
    await setQueue(trial.id, cloudflareDecisionQueue(env.DECISIONS_QUEUE));
    // A deletes the account between the decision and its delivery.
    await withDb((db) => db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, a.id)));

    const parked: { reason: string; body: GateEvent }[] = [];
    const bindings = {
      ...env,
      DECISIONS_DLQ: {
        send: async (message: { reason: string; body: GateEvent }) => {
          parked.push(message);
        },
      },
    } as unknown as Env;
    const batch = createMessageBatch(
      "try-it-decisions",
      recorded.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, bindings, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(recorded.map((_, i) => `m${i}`).sort());
    expect(result.retryMessages).toEqual([]);
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ reason: "member account deleted" });
    expect(parked[0]!.body).toMatchObject({ application: { userId: a.id, status: "WON" } });

    const gate = gateOf(trial.id);
    expect(await gate.findApplication(a.id)).toMatchObject({ status: "CANCELLED", version: 2 });
    expect(await gate.findApplication(b.id)).toMatchObject({ status: "WON", position: null });

    // The release's own events (A CANCELLED, B PROMOTED) reach Postgres through the queue.
    const rows = await waitFor(
      async () => {
        const r = await rowsOf(trial.id);
        const byUser = new Map(r.map((row) => [row.userId, row.status]));
        return byUser.get(a.id) === "CANCELLED" && byUser.get(b.id) === "WON" ? r : undefined;
      },
      { what: "A CANCELLED and B WON in Postgres" },
    );
    expect(rows).toHaveLength(2);
  });

  it("parks the CANCELLED event of an account with no row at all, without releasing again", async () => {
    const { trial, a, b, recorded } = await winnerAndWaiter();
    const won = applicationEvents(recorded).find((e) => e.application.userId === a.id)!;
    await withDb((db) => db.execute(sql`DELETE FROM users WHERE id = ${a.id}`));

    const before = recorded.length;
    const first = recordingDeps();
    const message = messageOf(won);
    expect(await persistDecisions([message], first.deps)).toEqual({
      written: 0,
      retried: 0,
      deadLettered: 1,
    });
    expect(message.state).toBe("ack");
    expect(first.parked.map((p) => p.reason)).toEqual(["member account missing"]);
    expect(first.released.map((r) => r.applicationId)).toEqual([won.application.id]);

    // The release produced A CANCELLED and B PROMOTED: deliver them as the queue would.
    await gateOf(trial.id).flushOutbox();
    const fromRelease = applicationEvents(recorded.slice(before));
    expect(fromRelease.map((e) => e.outcome).sort()).toEqual(["CANCELLED", "PROMOTED"]);

    const second = recordingDeps();
    const messages = fromRelease.map((e, i) => messageOf(e, 1, `r${i}`));
    expect(await persistDecisions(messages, second.deps)).toEqual({
      written: 1,
      retried: 0,
      deadLettered: 1,
    });
    expect(messages.map((m) => m.state)).toEqual(["ack", "ack"]);
    // Nothing left to give back: no second release, so compensation cannot loop.
    expect(second.released).toEqual([]);
    expect(second.parked).toHaveLength(1);
    expect(second.parked[0]!.body).toMatchObject({ outcome: "CANCELLED" });
    const rows = await rowsOf(trial.id);
    expect(rows.map((r) => [r.userId, r.status])).toEqual([[b.id, "WON"]]);
  });
});

describe("compensation for a message that keeps failing", () => {
  it("only retries below the limit, then releases the place and dead-letters with the last error", async () => {
    // A gate whose trial has no row in Postgres: every write of its events fails (trial FK).
    const trialId = crypto.randomUUID();
    const gate = gateOf(trialId);
    const configured = await gate.configure({
      trialId,
      slots: 1,
      waitlistSize: 1,
      opensAt: Date.now() - 1000,
      closesAt: Date.now() + hour,
    });
    expect(configured.kind).toBe("configured");
    const recorded: GateEvent[] = [];
    await setQueue(trialId, recordingQueue(recorded));
    const [a, b] = await createUsers("MEMBER", 2);
    expect(await gate.applyMany([{ userId: a!.id, note: null }])).toMatchObject([
      { kind: "created" },
    ]);
    expect(await gate.applyMany([{ userId: b!.id, note: null }])).toMatchObject([
      { kind: "created" },
    ]);
    await gate.flushOutbox();
    const won = applicationEvents(recorded).find((e) => e.application.userId === a!.id)!;

    const early = recordingDeps();
    const retried = messageOf(won, MAX_ATTEMPTS - 1);
    expect(await persistDecisions([retried], early.deps)).toEqual({
      written: 0,
      retried: 1,
      deadLettered: 0,
    });
    expect(retried.state).toBe("retry");
    expect(early.released).toEqual([]);
    expect(early.parked).toEqual([]);
    expect(await gate.findApplication(a!.id)).toMatchObject({ status: "WON" });

    const last = recordingDeps();
    const poison = messageOf(won, MAX_ATTEMPTS);
    expect(await persistDecisions([poison], last.deps)).toEqual({
      written: 0,
      retried: 0,
      deadLettered: 1,
    });
    expect(poison.state).toBe("ack");
    expect(last.released.map((r) => r.applicationId)).toEqual([won.application.id]);
    expect(last.parked).toHaveLength(1);
    expect(last.parked[0]!.reason).toMatch(new RegExp(`^gave up after ${MAX_ATTEMPTS} attempts`));
    expect(last.parked[0]!.reason).toContain("applications_trial_id_trials_id_fk");
    expect(await gate.findApplication(a!.id)).toMatchObject({ status: "CANCELLED" });
    expect(await gate.findApplication(b!.id)).toMatchObject({ status: "WON" });

    // A redelivery of the same poison (say the ack was lost) releases nothing new.
    const again = recordingDeps();
    await persistDecisions([messageOf(won, MAX_ATTEMPTS + 1)], again.deps);
    expect(await gate.snapshot()).toMatchObject({ won: 1, waitlisted: 0 });
  });
});
