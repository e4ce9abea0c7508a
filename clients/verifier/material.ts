/**
 * What the verifier reads, exactly as the API publishes it (API.md "Receipts and the public
 * fill log"). Nothing here comes from the server's code: an outsider writes these from the
 * document alone, and so do we, so that the verifier cannot share a mistake with the server.
 */

/** One published log entry. Fields stay loosely typed: tampered input must still be read. */
export interface PublishedEntry {
  n: number;
  kind: string;
  seq: number | null;
  applicationId: string | null;
  memberTag: string | null;
  outcome: string | null;
  at: number;
  prevHash: string;
  hash: string;
}

/** The trial's terms the ordering rules need (GET /v1/trials/:id). */
export interface TrialTerms {
  slots: number;
  waitlistSize: number;
  /** "strict" | "shuffle-at-open" | "draw"; absent before fairness modes existed (strict). */
  ordering?: string;
  /** The shuffle window's length (shuffle-at-open only; null otherwise). */
  shuffleSeconds?: number | null;
  /** ISO 8601 times: the shuffle window starts at opensAt, a draw happens at closesAt. */
  opensAt?: string;
  closesAt?: string;
  /** Lowercase hex SHA-256 of the UTF-8 seed text, published at creation (null for strict). */
  seedCommitment?: string | null;
  /** The seed (64 lowercase hex), revealed once drawn; null until then. */
  seed?: string | null;
}

/** The orderings API.md defines. */
export const ORDERINGS = ["strict", "shuffle-at-open", "draw"] as const;

/** A JSON Web Key Set, as GET /.well-known/jwks.json serves it. */
export interface Jwks {
  keys: Record<string, unknown>[];
}

/** Everything one verification looks at, already fetched (fetchMaterial, or a test). */
export interface Material {
  trialId: string;
  jwks: Jwks;
  trial: TrialTerms;
  /** The whole log in the order served, page after page. */
  entries: PublishedEntry[];
  /** The signed head: a compact JWS of {trialId, n, hash, status, at}. */
  head: string;
  /** A member's receipt, when one is to be checked: a compact JWS. */
  receipt?: string;
  /**
   * Heads this verifier (or anyone) saw and kept before, compact JWS each: the log must still
   * hold each of them, or it was rewritten since (a fork).
   */
  knownHeads?: string[];
  /**
   * A shuffle's or draw's seedCommitment kept from before its first application: the trial
   * must still show it (no head signs the trial's terms, so only a kept copy catches a
   * commitment replaced to fit a seed chosen later).
   */
  keptCommitment?: string;
}

/** The signed head's payload. */
export interface HeadPayload {
  trialId: string;
  n: number;
  hash: string;
  status: string;
  at: number;
}

/** A receipt's payload. */
export interface ReceiptPayload {
  iss: string;
  trialId: string;
  applicationId: string;
  seq: number;
  outcome: string;
  decidedAt: number;
  memberTag: string;
  entry: number;
  hash: string;
}

/** `prevHash` of entry 1. */
export const GENESIS = "0".repeat(64);
