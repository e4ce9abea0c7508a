import { entryLabel, type Failure } from "./failures";
import type { PublishedEntry } from "./material";
import { asReceipt } from "./shapes";

/**
 * A receipt's entry must be in the log with the same fields: the member's proof that the
 * log still says what the operator signed to them at the moment of decision.
 */

export interface ReceiptSummary {
  entry: number;
  applicationId: string;
  outcome: string;
  /** The application's latest entry in the log: where it stands now. */
  latest: { n: number; kind: string; outcome: string | null } | null;
}

export function receiptInLog(
  payload: unknown,
  trialId: string,
  entries: readonly PublishedEntry[],
): { failures: Failure[]; summary: ReceiptSummary | null } {
  const receipt = asReceipt(payload);
  if (typeof receipt === "string")
    return { failures: [{ check: "receipt", message: receipt }], summary: null };
  const latest = [...entries].reverse().find((e) => e.applicationId === receipt.applicationId);
  const summary: ReceiptSummary = {
    entry: receipt.entry,
    applicationId: receipt.applicationId,
    outcome: receipt.outcome,
    latest: latest ? { n: latest.n, kind: latest.kind, outcome: latest.outcome } : null,
  };
  const fail = (message: string) => ({
    failures: [{ check: "receipt" as const, entry: receipt.entry, message }],
    summary,
  });
  if (receipt.trialId !== trialId)
    return fail(`the receipt is of trial ${receipt.trialId}, not ${trialId}`);
  const entry = entries[receipt.entry - 1];
  if (!entry || entry.n !== receipt.entry)
    return fail(
      `the receipt names entry ${receipt.entry}, which is not in the log (${entries.length} entries)`,
    );
  const expected: [string, unknown, unknown][] = [
    ["hash", receipt.hash, entry.hash],
    ["applicationId", receipt.applicationId, entry.applicationId],
    ["seq", receipt.seq, entry.seq],
    ["memberTag", receipt.memberTag, entry.memberTag],
    ["outcome", receipt.outcome, entry.outcome],
    ["decidedAt", receipt.decidedAt, entry.at],
  ];
  const differ = expected
    .filter(([, mine, logged]) => mine !== logged)
    .map(([field, mine, logged]) => `${field} ${String(mine)} where the log has ${String(logged)}`);
  return differ.length === 0
    ? { failures: [], summary }
    : fail(`the receipt does not match ${entryLabel(entry)}: ${differ.join("; ")}`);
}
