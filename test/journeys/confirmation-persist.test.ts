import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { ConfirmationEvent, DecisionEvent } from "../../core/first-come/types";
import { shippingAddresses, users } from "../../db/schema";
import worker from "../../workers";
import { wonDecision } from "../support/shared/decisions";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { rowsOf } from "../support/workerd/gate";

/**
 * The decisions consumer's half of a confirmation (docs/decisions/0033): the application's
 * confirmed_at and the sealed address land together, once, whatever the deliveries; an
 * account deleted meanwhile gets no address stored.
 */

const QUEUE = "try-it-decisions";

function confirmationOf(won: DecisionEvent, sealed: string): ConfirmationEvent {
  const at = won.application.decidedAt + 1_000;
  return {
    v: 1,
    type: "confirmation",
    eventId: crypto.randomUUID(),
    application: { ...won.application, confirmedAt: at, confirmBy: null, version: 3 },
    address: { keyId: "k1", sealed },
  };
}

async function deliver(events: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    QUEUE,
    events.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const addressesOf = (trialId: string) =>
  withDb((db) => db.select().from(shippingAddresses).where(eq(shippingAddresses.trialId, trialId)));

describe("a confirmation reaching Postgres", () => {
  it("writes confirmed_at and the sealed address once, before or after its decision, delivered twice", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2 });
    const [member] = await createUsers("MEMBER", 1);
    const won = wonDecision(trial.id, member!.id, 1);
    const confirmed = confirmationOf(won, "Zmlyc3Q=");
    // The confirmation first: it carries the whole application, so the row exists anyway.
    expect((await deliver([confirmed])).explicitAcks).toEqual(["m0"]);
    // Then the older decision and a duplicate confirmation with other bytes: nothing changes.
    const again = {
      ...confirmed,
      eventId: crypto.randomUUID(),
      address: { keyId: "k1", sealed: "b3RoZXI=" },
    };
    expect((await deliver([won, again], 2)).explicitAcks.sort()).toEqual(["m0", "m1"]);

    const [row] = await rowsOf(trial.id);
    expect(row).toMatchObject({ status: "WON", version: 3 });
    expect(row?.confirmedAt?.getTime()).toBe(confirmed.application.confirmedAt);
    const stored = await addressesOf(trial.id);
    expect(stored.map((a) => [a.applicationId, a.sealed])).toEqual([
      [won.application.id, "Zmlyc3Q="],
    ]);
  });

  it("stores no address for an account deleted before the confirmation arrived", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const [member] = await createUsers("MEMBER", 1);
    const won = wonDecision(trial.id, member!.id, 1);
    await deliver([won]);
    await withDb((db) =>
      db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, member!.id)),
    );
    expect((await deliver([confirmationOf(won, "bGF0ZQ==")])).explicitAcks).toEqual(["m0"]);
    expect(await addressesOf(trial.id)).toEqual([]);
  });

  it("dead-letters a confirmation whose sealed value is not bounded text", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const [member] = await createUsers("MEMBER", 1);
    const bad = confirmationOf(wonDecision(trial.id, member!.id, 1), "x".repeat(5000));
    const result = await deliver([bad]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await rowsOf(trial.id)).toEqual([]);
    expect(await addressesOf(trial.id)).toEqual([]);
  });
});
