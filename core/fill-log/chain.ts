import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { LogKind } from "../vocabulary/fill-log";

/**
 * The public fill log's hash chain (API.md "Receipts and the public fill log"), computed
 * where the decision is made, inside the same transaction. Synchronous on purpose: the
 * Durable Object decides and writes in one `transactionSync`, and an `await` for WebCrypto
 * in between would let another request decide on the same state. So SHA-256 and HMAC come
 * from @noble/hashes (audited, dependency-free, synchronous) rather than crypto.subtle.
 */

/** `prevHash` of entry 1. */
export const GENESIS_HASH = "0".repeat(64);

/** One entry as published: every field is part of what `hash` covers. */
export interface LogEntry {
  /** 1-based, gapless: the entry's place in the log. */
  n: number;
  kind: LogKind;
  /** The application's arrival seq in the trial. */
  seq: number;
  applicationId: string;
  /** The member's pseudonym in this trial (memberTagOf). */
  memberTag: string;
  /** The application's outcome after this event (WON, WAITLISTED, CANCELLED, …). */
  outcome: string;
  /** Epoch milliseconds. */
  at: number;
  prevHash: string;
  hash: string;
}

/** What an event contributes; the chain adds n, prevHash and hash. */
export type LogEvent = Omit<LogEntry, "n" | "prevHash" | "hash">;

/** The log's end: how many entries, and the hash of the last (GENESIS_HASH when empty). */
export interface LogHead {
  n: number;
  hash: string;
}

export const EMPTY_LOG: LogHead = { n: 0, hash: GENESIS_HASH };

/**
 * The exact text an entry's hash covers: the fields joined by "\n", numbers in decimal,
 * a null field as the empty string. Outsiders recompute it from API.md alone.
 */
function entryText(e: Omit<LogEntry, "hash">): string {
  return [e.prevHash, e.n, e.kind, e.seq, e.applicationId, e.memberTag, e.outcome, e.at]
    .map((field) => (field === null || field === undefined ? "" : String(field)))
    .join("\n");
}

export function hashOf(e: Omit<LogEntry, "hash">): string {
  return bytesToHex(sha256(utf8ToBytes(entryText(e))));
}

/** Appends events after `head`, in order: the entries to store and the new head. */
export function appendToLog(
  head: LogHead,
  events: readonly LogEvent[],
): { entries: LogEntry[]; head: LogHead } {
  const entries: LogEntry[] = [];
  let { n, hash } = head;
  for (const event of events) {
    n += 1;
    const unsealed = { ...event, n, prevHash: hash };
    hash = hashOf(unsealed);
    entries.push({ ...unsealed, hash });
  }
  return { entries, head: { n, hash } };
}

/**
 * A member's pseudonym in one trial: HMAC-SHA256 of their id under the trial's own secret,
 * which never leaves the gate. A member recognises their entries from their receipt; the
 * tags of two trials cannot be linked, and nobody learns who the others are.
 */
export function memberTagOf(trialSecret: string, userId: string): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(trialSecret), utf8ToBytes(userId)));
}

/** A new trial's secret for member tags: 32 random bytes, hex. */
export function newTrialSecret(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}
