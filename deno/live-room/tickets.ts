/**
 * Live-room tickets already used, remembered in Deno KV: a ticket opens one socket, whichever
 * isolate or process it reaches (the Durable Object keeps them in its SQLite instead:
 * durable-objects/trial-gate/spent-tickets.ts). After its expiry the signature check refuses
 * a ticket anyway, so KV may forget it a little later.
 */

import { untilCommitted } from "../retry.ts";

const spentKey = (ticketId: string): Deno.KvKey => ["live-ticket", ticketId];

/** Kept past the ticket's expiry, so clocks a little apart never let one through twice. */
const REMEMBER_PAST_EXPIRY_MS = 60_000;

/** Spend a ticket: false when it was spent before. */
export async function spendTicket(
  kv: Deno.Kv,
  ticketId: string,
  expiresAt: number,
  now: number,
): Promise<boolean> {
  const key = spentKey(ticketId);
  // A thrown error is transient (local KV answers "database is locked" between processes
  // under a flood of upgrades): tried again. A failed check is the answer: spent before.
  return untilCommitted(async () => {
    const result = await kv
      .atomic()
      // A null versionstamp checks that the key is absent: of two concurrent spends, one commits.
      .check({ key, versionstamp: null })
      .set(key, now, { expireIn: Math.max(0, expiresAt - now) + REMEMBER_PAST_EXPIRY_MS })
      .commit();
    return result.ok;
  });
}
