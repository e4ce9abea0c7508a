import type { GateState } from "../../core/first-come/types";

/**
 * The confirmation window's column of the gate row (schema v7), read and written next to the
 * rest of the row by ledger.ts; a gate stored before it has no window.
 */

export function loadConfirmTerms(sql: SqlStorage): Pick<GateState, "confirmWithinMinutes"> {
  const row = sql
    .exec<{ confirm_within_minutes: number | null }>(
      "SELECT confirm_within_minutes FROM gate WHERE id = 1",
    )
    .toArray()[0];
  return { confirmWithinMinutes: row?.confirm_within_minutes ?? null };
}

/** Call after the row is written (saveGate), in the same transaction. */
export function saveConfirmTerms(sql: SqlStorage, s: GateState): void {
  sql.exec(
    "UPDATE gate SET confirm_within_minutes = ? WHERE id = 1",
    s.confirmWithinMinutes ?? null,
  );
}
