import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { asc, eq } from "drizzle-orm";
import type { GateEvent } from "../../../core/first-come/types";
import type { DecisionQueue } from "../../../core/ports/decision-queue";
import { applications } from "../../../db/schema";
import { withDb } from "./db";

/** The TrialGate Durable Object of a trial, as the app itself addresses it (by trial id). */
export const gateOf = (trialId: string) => env.TRIAL_GATE.get(env.TRIAL_GATE.idFromName(trialId));

/** Swaps the queue the trial's gate sends its decisions to. */
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

/** The trial's application rows in Postgres, in seq order: what its gate's decisions became. */
export const rowsOf = (trialId: string) =>
  withDb((db) =>
    db
      .select()
      .from(applications)
      .where(eq(applications.trialId, trialId))
      .orderBy(asc(applications.seq)),
  );
