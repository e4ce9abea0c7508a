import type { LogEntry } from "../../core/fill-log/chain";
import { clampLedgerLimit, type TrialGate } from "../../core/ports/trial-gate";
import type { Deps } from "../context";
import { AppError } from "../errors";
import { signedHead } from "../receipts/receipts";
import { readTrialCatalog } from "./catalog-reads";

/**
 * The public fill log (API.md "Receipts and the public fill log"), read from the trial's
 * gate. The catalog is asked first, as GET /v1/trials/:id does, so an unknown id is a 404
 * that never wakes a gate.
 */

export interface LogPage {
  items: LogEntry[];
  /** The last `n` of the page, to pass as `after`; null at the end of the log. */
  nextCursor: string | null;
}

/** The entries after `after`, at most `limit`, in gate order. */
export async function readLogPage(
  deps: Deps,
  trialId: string,
  after: number,
  limit: number,
): Promise<LogPage> {
  await readTrialCatalog(deps, trialId);
  return logPageAfter(deps.gates.get(trialId), after, limit);
}

/** A page of a gate's log; `nextCursor` is null exactly when the page ends the log. */
export async function logPageAfter(
  gate: Pick<TrialGate, "log" | "snapshot">,
  after: number,
  limit: number,
): Promise<LogPage> {
  // One more than the page, to know without another call whether the log goes on.
  const rows = await gate.log(after, limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  if (!last) return { items, nextCursor: null };
  let more = rows.length > limit;
  if (!more && rows.length === limit && clampLedgerLimit(limit + 1) <= limit) {
    // A full page and the extra entry never asked for: a gate hands out at most 1000 in one
    // call (it clamps like the ledger), so at limit=1000 its head says whether the log goes on.
    more = ((await gate.snapshot())?.log.n ?? 0) > last.n;
  }
  return { items, nextCursor: more ? String(last.n) : null };
}

/** The log's head signed now: its length, last hash and the trial's status. */
export async function readSignedHead(deps: Deps, trialId: string): Promise<{ head: string }> {
  await readTrialCatalog(deps, trialId);
  const snapshot = await deps.gates.get(trialId).snapshot();
  // In the catalog but never configured at its gate (creation failed half-way): no log.
  if (!snapshot) throw new AppError("TRIAL_NOT_FOUND", "No such trial.");
  return { head: signedHead(deps.config.receipts, snapshot, Date.now()) };
}
