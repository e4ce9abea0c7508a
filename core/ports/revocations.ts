/**
 * Revoked access tokens, kept on the platform's own storage (a singleton Durable Object on
 * Cloudflare, Deno KV on Deno) so the apply hot path can honour a logout, a password change
 * or a deletion without a database call: each isolate holds a view of the list and refreshes
 * it at most every second (workers/auth/revocations.ts, docs/decisions/0024).
 */

/** Every access token of `userId` issued at or before `atMs` is dead. */
export interface Revocation {
  userId: string;
  atMs: number;
}

/** What was published after a cursor. */
export interface RevocationFeed {
  /** Hand it back to get only what comes later. */
  cursor: string;
  /**
   * True when `entries` is the whole live list, not a continuation (the cursor was null or
   * belongs to a store that was since emptied): the view replaces what it had.
   */
  reset: boolean;
  entries: Revocation[];
}

export interface RevocationStore {
  /** Kept for `keepMs` (past which every token it could concern has expired), then dropped. */
  publish(revocation: Revocation, keepMs: number): Promise<void>;
  /** What was published after `cursor`, or every revocation younger than `keepMs` (reset). */
  since(cursor: string | null, keepMs: number): Promise<RevocationFeed>;
}
