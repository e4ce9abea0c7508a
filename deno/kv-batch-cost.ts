import { GENESIS_HASH, type LogEntry } from "../core/fill-log/chain.ts";
import type { BatchRequest } from "../core/first-come/decide-batch.ts";
import { applicationEvent } from "../core/first-come/events.ts";
import type { Application } from "../core/first-come/types.ts";
import { gateKeys } from "./keys.ts";
import { type CommitCost, keyBytes, valueBytes } from "./kv-commit-plan.ts";

/** Writes per admitted application: four ledger entries, one log entry, one outbox event. */
export const MUTATIONS_PER_APPLICATION = 6;

/**
 * The most one application can add to a commit: its four ledger entries (the WAITLISTED
 * index included, whatever the decision), its APPLIED entry in the public fill log and its
 * outbox event, with its note. The group commit sizes its commits by it, so none exceeds
 * KV's limits.
 */
export function batchRequestCost(trialId: string) {
  const anId = crypto.randomUUID();
  const fixedKeys =
    keyBytes(gateKeys.application(trialId, anId)) +
    keyBytes(gateKeys.seq(trialId, Number.MAX_SAFE_INTEGER)) +
    keyBytes(gateKeys.waiting(trialId, Number.MAX_SAFE_INTEGER)) +
    keyBytes(gateKeys.outbox(trialId, Date.now(), anId, Number.MAX_SAFE_INTEGER)) +
    keyBytes(gateKeys.log(trialId, Number.MAX_SAFE_INTEGER));
  // A tag and a hash are 64 hex characters each, whoever the member.
  const aHash = GENESIS_HASH;
  const entry: LogEntry = {
    n: Number.MAX_SAFE_INTEGER,
    kind: "WITHDRAWN",
    seq: Number.MAX_SAFE_INTEGER,
    applicationId: anId,
    memberTag: aHash,
    outcome: "WAITLISTED",
    at: Date.now(),
    prevHash: aHash,
    hash: aHash,
  };
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
      memberTag: aHash,
      lastEntry: { n: Number.MAX_SAFE_INTEGER, hash: aHash },
    };
    const keys = fixedKeys + keyBytes(gateKeys.user(trialId, request.userId));
    const values =
      valueBytes(application) +
      3 * valueBytes(anId) +
      valueBytes(applicationEvent("WON", application)) +
      valueBytes(entry);
    return { mutations: MUTATIONS_PER_APPLICATION, keyBytes: keys, totalBytes: keys + values };
  };
}
