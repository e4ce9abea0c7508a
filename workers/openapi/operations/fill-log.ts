import { type OperationDoc, ok, ROLE_GUARD } from "../operation-doc";
import * as R from "../responses";

const TAG = "Receipts and the fill log";

/**
 * Receipts, the receipt keys and the public fill log (API.md "Receipts and the public fill
 * log"). Keyed by `METHOD path` as Hono lists the route.
 */
export const FILL_LOG_OPERATIONS: Record<string, OperationDoc> = {
  "GET /.well-known/jwks.json": {
    summary: "The keys that sign receipts and log heads (JWKS)",
    tag: TAG,
    security: "none",
    notes:
      "OKP Ed25519 public keys, each with its `kid`, `alg: EdDSA` and `use: sig`: the current " +
      "key first, then older ones kept after a rotation so earlier receipts still verify. " +
      "Cacheable for five minutes.",
    responses: {
      200: {
        description: "The JSON Web Key Set",
        schema: R.Jwks,
        headers: { "Cache-Control": "public, max-age=300" },
      },
    },
    errors: [],
  },
  "GET /v1/trials/:id/applications/me/receipt": {
    summary: "The caller's receipt for their latest entry in the trial's log",
    tag: TAG,
    security: "bearer",
    who: "MEMBER",
    notes:
      "The same receipt the apply answer carries: a compact JWS (EdDSA, `kid` in its header, " +
      "verify with GET /.well-known/jwks.json) of `{iss, trialId, applicationId, seq, outcome, " +
      "decidedAt, memberTag, entry, hash}`, where `decidedAt` is epoch milliseconds and " +
      "`entry`/`hash` name the application's latest entry in GET /v1/trials/{id}/log (after a " +
      "promotion, the PROMOTED one). An application decided before the trial kept a log has " +
      "none (RECEIPT_NOT_FOUND).",
    responses: ok(R.Receipt),
    errors: [...ROLE_GUARD, "APPLICATION_NOT_FOUND", "RECEIPT_NOT_FOUND"],
  },
  "GET /v1/trials/:id/log": {
    summary: "The trial's public fill log, in gate order",
    tag: TAG,
    security: "none",
    who: "anyone",
    notes:
      "One entry per event that changes who holds a place: `{n, kind, seq, applicationId, " +
      "memberTag, outcome, at, prevHash, hash}`, `at` in epoch milliseconds. `hash` is the " +
      "lowercase hex SHA-256 of the UTF-8 text `prevHash\\nn\\nkind\\nseq\\napplicationId\\n" +
      "memberTag\\noutcome\\nat` (numbers in decimal); `prevHash` of entry 1 is 64 zeros. " +
      "Pages start after entry `after` (default 0) and hold at most `limit` (1..1000, default " +
      "100); `nextCursor` is the page's last `n` as a string, to pass as `after`, and null at " +
      "the end of the log.",
    responses: ok(R.LogPage),
    errors: ["TRIAL_NOT_FOUND"],
  },
  "GET /v1/trials/:id/log/head": {
    summary: "The log's signed head: its length and last hash, now",
    tag: TAG,
    security: "none",
    who: "anyone",
    notes:
      "A compact JWS (EdDSA, `kid` in its header) of `{trialId, n, hash, status, at}`: the " +
      "log's number of entries, the hash of its last entry (64 zeros when empty), the " +
      "trial's status and the time of signing in epoch milliseconds. Not cacheable.",
    responses: ok(R.LogHead),
    errors: ["TRIAL_NOT_FOUND"],
  },
};
