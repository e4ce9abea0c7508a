import type { Application, GateSnapshot } from "../../core/first-come/types";
import type { ReceiptKeys, ReceiptPublicJwk } from "./keys";
import { signJson } from "./sign";

/**
 * What the API signs (API.md "Receipts and the public fill log"). Field names and order are
 * the contract: an outsider verifies them with any JWS library and the JWKS.
 */

/** A member's receipt: their application's latest decision and its entry in the log. */
export interface ReceiptPayload {
  /** The API's public origin: whose receipt this is. */
  iss: string;
  trialId: string;
  applicationId: string;
  seq: number;
  /** The application's status after its latest entry (WON, WAITLISTED, CANCELLED, …). */
  outcome: string;
  /** Epoch milliseconds. */
  decidedAt: number;
  memberTag: string;
  /** The entry's `n` in the trial's log, and its `hash`. */
  entry: number;
  hash: string;
}

/** The log's signed head: how long the log is, its last hash and the trial's status then. */
export interface HeadPayload {
  trialId: string;
  n: number;
  hash: string;
  status: string;
  /** Epoch milliseconds: when the head was read. */
  at: number;
}

/** Null for an application decided before its gate kept a log: it has no entry to sign. */
export function receiptPayloadOf(iss: string, a: Application): ReceiptPayload | null {
  if (!a.lastEntry) return null;
  return {
    iss,
    trialId: a.trialId,
    applicationId: a.id,
    seq: a.seq,
    outcome: a.status,
    decidedAt: a.decidedAt,
    memberTag: a.memberTag,
    entry: a.lastEntry.n,
    hash: a.lastEntry.hash,
  };
}

/** The receipt of the application's latest entry, or null when it has none. */
export function receiptOf(keys: ReceiptKeys, iss: string, a: Application): string | null {
  const payload = receiptPayloadOf(iss, a);
  return payload ? signJson(keys, payload) : null;
}

export function signedHead(keys: ReceiptKeys, snapshot: GateSnapshot, at: number) {
  const head: HeadPayload = {
    trialId: snapshot.trialId,
    n: snapshot.log.n,
    hash: snapshot.log.hash,
    status: snapshot.status,
    at,
  };
  return signJson(keys, head);
}

/** GET /.well-known/jwks.json: the current key and the older ones, public halves only. */
export function jwksOf(keys: ReceiptKeys): { keys: ReceiptPublicJwk[] } {
  return { keys: keys.published };
}
