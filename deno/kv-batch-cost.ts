import type { BatchRequest } from "../core/first-come/decide-batch.ts";
import { applicationEvent } from "../core/first-come/events.ts";
import type { Application } from "../core/first-come/types.ts";
import { gateKeys } from "./keys.ts";
import { type CommitCost, keyBytes, valueBytes } from "./kv-commit-plan.ts";

/**
 * The most one application can add to a commit: its four ledger entries (the WAITLISTED
 * index included, whatever the decision) and its outbox event, with its note. The group
 * commit sizes its commits by it, so none exceeds KV's limits.
 */
export function batchRequestCost(trialId: string) {
  const anId = crypto.randomUUID();
  const fixedKeys =
    keyBytes(gateKeys.application(trialId, anId)) +
    keyBytes(gateKeys.seq(trialId, Number.MAX_SAFE_INTEGER)) +
    keyBytes(gateKeys.waiting(trialId, Number.MAX_SAFE_INTEGER)) +
    keyBytes(gateKeys.outbox(trialId, Date.now(), anId, Number.MAX_SAFE_INTEGER));
  return (request: BatchRequest): CommitCost => {
    const application: Application = {
      id: anId,
      trialId,
      userId: request.userId,
      seq: Number.MAX_SAFE_INTEGER,
      status: "WAITLISTED",
      position: null,
      note: request.note,
      appliedAt: Date.now(),
      decidedAt: Date.now(),
      version: 1,
    };
    const keys = fixedKeys + keyBytes(gateKeys.user(trialId, request.userId));
    const values =
      valueBytes(application) +
      3 * valueBytes(anId) +
      valueBytes(applicationEvent("WON", application));
    return { mutations: 5, keyBytes: keys, totalBytes: keys + values };
  };
}
