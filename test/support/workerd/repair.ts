import { runInDurableObject } from "cloudflare:test";
import { asc, eq } from "drizzle-orm";
import type { GateEvent } from "../../../core/first-come/types";
import type { DecisionQueue } from "../../../core/ports/decision-queue";
import { connect } from "../../../db/client";
import { applications } from "../../../db/schema";
import type { IncomingMessage, PersistDeps } from "../../../workers/queues/decisions/handler";
import { testConfig, withDb } from "./db";
import { gateOf } from "./gate";

export async function setQueue(trialId: string, queue: DecisionQueue): Promise<void> {
  await runInDurableObject(gateOf(trialId), (gate) => {
    gate.decisionQueue = queue;
  });
}

/** A queue that keeps what the gate sends, so a test decides when (and whether) it arrives. */
export function recordingQueue(into: GateEvent[]): DecisionQueue {
  return {
    sendBatch: async (events) => {
      into.push(...events);
    },
  };
}

export const rowsOf = (trialId: string) =>
  withDb((db) =>
    db
      .select()
      .from(applications)
      .where(eq(applications.trialId, trialId))
      .orderBy(asc(applications.seq)),
  );

export type RecordedMessage = IncomingMessage & { state: "ack" | "retry" | null };

export function messageOf(body: unknown, attempts = 1, id = "m0"): RecordedMessage {
  const m: RecordedMessage = {
    id,
    body,
    attempts,
    state: null,
    ack: () => {
      m.state ??= "ack";
    },
    retry: () => {
      m.state ??= "retry";
    },
  };
  return m;
}

/** The consumer's real dependencies, with dead letters and releases recorded on the way. */
export function recordingDeps() {
  const parked: { body: unknown; reason: string }[] = [];
  const released: { trialId: string; applicationId: string; reason: string }[] = [];
  const deps: PersistDeps = {
    connect: () => connect(testConfig().database),
    deadLetter: async (body, reason) => {
      parked.push({ body, reason });
    },
    releasePlace: async (trialId, applicationId, reason) => {
      released.push({ trialId, applicationId, reason });
      await gateOf(trialId).release(applicationId, reason);
    },
  };
  return { deps, parked, released };
}

export function applicationEvents(events: GateEvent[]) {
  return events.flatMap((e) => (e.type === "application" ? [e] : []));
}
