import { CompactSign, exportJWK, generateKeyPair } from "jose";
import type { Jwks, Material } from "../../clients/verifier/material";
import { appendToLog, EMPTY_LOG, type LogEntry, type LogEvent } from "../../core/fill-log/chain";
import type { LogKind } from "../../core/vocabulary/fill-log";

/**
 * A trial's published material built in the test: entries chained by the server's own
 * core/fill-log/chain.ts (so the verifier, which recomputes hashes on its own, is checked
 * against it), and a head and receipts signed with a key made here.
 */

export interface Signer {
  kid: string;
  sign(payload: unknown): Promise<string>;
  jwk: Record<string, unknown>;
}

export async function newSigner(kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  return {
    kid,
    jwk,
    sign: (payload) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: "EdDSA", kid })
        .sign(privateKey),
  };
}

export const TRIAL_ID = "7b0f3c2e-9a51-4d0e-8f6a-2d4c1e0b9a77";

/** Member i's application id and tag (any fixed strings do: the verifier does not recompute them). */
export const appId = (i: number) => `app-${i}`;
export const tagOf = (i: number) => i.toString(16).padStart(2, "0").repeat(32);

/** One event of member i (arrival seq i), at a time that grows with the entry. */
export function event(kind: LogKind, i: number, outcome: string): LogEvent {
  return { kind, seq: i, applicationId: appId(i), memberTag: tagOf(i), outcome, at: 0 };
}

/** Chains the events as the gate does: n from 1, prevHash from 64 zeros. */
export function chain(events: readonly LogEvent[], start = 1_900_000_000_000): LogEntry[] {
  return appendToLog(
    EMPTY_LOG,
    events.map((e, i) => ({ ...e, at: start + i * 1_000 })),
  ).entries;
}

/**
 * A strict trial of 3 places and 2 waitlist places: members 1–5 arrive (1–3 WON, 4–5
 * WAITLISTED), member 2 withdraws and member 4, the waitlist's head, is promoted; member 5
 * withdraws from the waitlist; member 1's place is released with nobody waiting, and member
 * 6 arrives and wins it.
 */
export const STRICT_TERMS = { slots: 3, waitlistSize: 2 };
export const STRICT_EVENTS: LogEvent[] = [
  event("APPLIED", 1, "WON"),
  event("APPLIED", 2, "WON"),
  event("APPLIED", 3, "WON"),
  event("APPLIED", 4, "WAITLISTED"),
  event("APPLIED", 5, "WAITLISTED"),
  event("WITHDRAWN", 2, "CANCELLED"),
  event("PROMOTED", 4, "WON"),
  event("WITHDRAWN", 5, "CANCELLED"),
  event("RELEASED", 1, "CANCELLED"),
  event("APPLIED", 6, "WON"),
];

export const headOf = (entries: readonly { n: number; hash: string }[], status = "OPEN") => {
  const last = entries.at(-1);
  return {
    trialId: TRIAL_ID,
    n: last?.n ?? 0,
    hash: last?.hash ?? "0".repeat(64),
    status,
    at: 1_900_000_100_000,
  };
};

export function receiptOf(entry: LogEntry) {
  return {
    iss: "http://127.0.0.1:8787",
    trialId: TRIAL_ID,
    applicationId: entry.applicationId,
    seq: entry.seq,
    outcome: entry.outcome,
    decidedAt: entry.at,
    memberTag: entry.memberTag,
    entry: entry.n,
    hash: entry.hash,
  };
}

export const jwksOf = (...signers: Signer[]): Jwks => ({ keys: signers.map((s) => s.jwk) });

/** The honest material: the log above, its head and member 4's receipt, all signed by `key`. */
export async function honestMaterial(key: Signer): Promise<Material & { entries: LogEntry[] }> {
  const entries = chain(STRICT_EVENTS);
  const promoted = entries[6] as LogEntry;
  return {
    trialId: TRIAL_ID,
    jwks: jwksOf(key),
    trial: { ...STRICT_TERMS },
    entries,
    head: await key.sign(headOf(entries)),
    receipt: await key.sign(receiptOf(promoted)),
  };
}
