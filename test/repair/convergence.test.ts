import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { GateEvent } from "../../core/first-come/types";
import { applications } from "../../db/schema";
import worker from "../../workers";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { gateOf } from "../support/workerd/gate";
import { api } from "../support/workerd/http";

async function deliver(events: GateEvent[]) {
  const batch = createMessageBatch(
    "try-it-decisions",
    events.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("out-of-order and duplicated deliveries", () => {
  it("converge on each application's latest state, whatever the order", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 1 });
    const [a, b] = await createUsers("MEMBER", 2);
    // Keep the gate's events away from the real queue: this test delivers them itself.
    const seen: GateEvent[] = [];
    await runInDurableObject(gateOf(trial.id), (gate) => {
      gate.decisionQueue = { sendBatch: async (events) => void seen.push(...events) };
    });
    await api("POST", `/v1/trials/${trial.id}/applications`, { token: a!.token });
    await api("POST", `/v1/trials/${trial.id}/applications`, { token: b!.token });
    await api("DELETE", `/v1/trials/${trial.id}/applications/me`, { token: a!.token });
    await gateOf(trial.id).flushOutbox();
    const appEvents = seen.filter((e) => e.type === "application");
    expect(appEvents.map((e) => e.type === "application" && e.outcome)).toEqual([
      "WON",
      "WAITLISTED",
      "CANCELLED",
      "PROMOTED",
    ]);

    // Newest first, then everything again in a second batch, then the oldest alone.
    const reversed = [...seen].reverse();
    expect((await deliver(reversed)).explicitAcks).toHaveLength(reversed.length);
    await deliver([...seen, ...seen]);
    await deliver([seen[0]!]);

    const rows = await withDb((db) =>
      db.select().from(applications).where(eq(applications.trialId, trial.id)),
    );
    const byUser = new Map(rows.map((r) => [r.userId, r]));
    expect(rows).toHaveLength(2);
    expect(byUser.get(a!.id)).toMatchObject({ status: "CANCELLED", version: 2 });
    expect(byUser.get(b!.id)).toMatchObject({ status: "WON", version: 2 });
    const ledger = await gateOf(trial.id).ledger(0, 10);
    expect(ledger.map((x) => [x.id, x.status, x.version])).toEqual(
      [...rows].sort((x, y) => x.seq - y.seq).map((r) => [r.id, r.status, r.version]),
    );
  });
});
