import { applicationEvent } from "../core/first-come/events.ts";
import { gateKeys } from "./keys.ts";
import { ledgerPage } from "./kv-ledger.ts";

/**
 * Telling every holder of a cancelled trial, in chunks. Deno KV caps one atomic commit at
 * 1000 mutations and 800 KB, and a trial may have up to 200 000 holders, so the cancellation
 * cannot write one event per holder in its own commit as the Durable Object does. Instead the
 * cancel commit writes the CANCELLED state together with a cursor; each chunk then writes the
 * events of up to CHUNK holders and advances the cursor in one commit checked against it. A
 * CANCELLED trial never changes its holders again, so the chunks describe exactly the holders
 * at cancellation. A fan-out cut short (a crash) is finished by the minute cron.
 */

/** ~400 events of ~600 bytes: well inside the 1000 mutations and 800 KB of one commit. */
const CHUNK = 400;

interface Cursor {
  /** Holders up to and including this seq have their event in the outbox. */
  afterSeq: number;
}

export const NEW_FANOUT: Cursor = { afterSeq: 0 };

/** Writes the remaining TRIAL_CANCELLED events of `trialId`; returns how many it wrote. */
export async function fanOutCancellation(
  kv: Deno.Kv,
  trialId: string,
  afterEvents: () => void = () => {},
): Promise<number> {
  const key = gateKeys.cancelFanout(trialId);
  let written = 0;
  for (;;) {
    const cursor = await kv.get<Cursor>(key);
    if (cursor.value === null) return written;
    const page = await ledgerPage(kv, trialId, cursor.value.afterSeq, CHUNK);
    // A PENDING entrant waits for a draw that will now never come: told too.
    const holders = page.filter(
      (a) => a.status === "WON" || a.status === "WAITLISTED" || a.status === "PENDING",
    );
    const last = page[page.length - 1];
    const op = kv.atomic().check(cursor);
    const at = Date.now();
    const commitId = crypto.randomUUID();
    holders.forEach((a, i) => {
      op.set(gateKeys.outbox(trialId, at, commitId, i), applicationEvent("TRIAL_CANCELLED", a));
    });
    if (page.length < CHUNK || !last) op.delete(key);
    else op.set(key, { afterSeq: last.seq } satisfies Cursor);
    // Lost to another isolate finishing the same fan-out: read the cursor again.
    if (!(await op.commit()).ok) continue;
    written += holders.length;
    if (holders.length > 0) afterEvents();
  }
}

/** Trials whose cancellation still has holders to tell. */
export async function pendingFanOuts(kv: Deno.Kv): Promise<string[]> {
  const trialIds: string[] = [];
  for await (const entry of kv.list({ prefix: gateKeys.cancelFanoutPrefix })) {
    trialIds.push(String(entry.key[1]));
  }
  return trialIds;
}
