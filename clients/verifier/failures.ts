/**
 * The verifier's checks, in the order it reports them: the first failure named is the first
 * in this list, so a broken link is reported before the ordering it garbles.
 */
export const CHECKS = {
  format: "the keys, the trial, the log, the head and the receipt have the documented shape",
  signature: "the signed head verifies against a key of the JWKS, found by its kid",
  numbering: "entries are numbered 1, 2, 3, … with no gap, repeat or swap",
  links: "each entry's prevHash is the previous entry's hash (64 zeros for entry 1)",
  hashes: "each entry's hash is the SHA-256 of its own fields",
  head: "the signed head names this trial and the log's entry n with that entry's hash",
  history: "the log still holds every head seen before (--known-head): nothing was rewritten",
  seed: "a revealed seed is the one committed to at creation (SHA-256), and nothing is drawn before it is revealed",
  draw: "the DRAWN entries are exactly the entrants still PENDING, in the order of their HMAC rank, with the outcome of each rank",
  ordering:
    "the log follows the trial's ordering rules (strict first-come; PENDING inside a shuffle window or until a draw, first-come after it)",
  "receipt-signature": "the receipt verifies against a key of the JWKS, found by its kid",
  receipt: "the receipt's entry is in the log with the same fields",
} as const;

export type CheckName = keyof typeof CHECKS;
export const CHECK_ORDER = Object.keys(CHECKS) as CheckName[];

export interface Failure {
  check: CheckName;
  /** The log entry concerned, when there is one. */
  entry?: number;
  message: string;
}

/** "entry 17 (application a1b2…)": how every message names an entry. */
export function entryLabel(e: { n: unknown; applicationId?: unknown }): string {
  const app = typeof e.applicationId === "string" ? ` (application ${e.applicationId})` : "";
  return `entry ${String(e.n)}${app}`;
}
