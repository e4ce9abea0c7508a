import type { GateState } from "../../core/first-come/types";

/**
 * The confirmation window's column of the gate row (schema v7), read and written by ledger.ts
 * in the row's one SELECT and one upsert; a gate stored before it has no window.
 */

export type ConfirmTermsRow = { confirm_within_minutes: number | null };

export function confirmTermsOf(row: ConfirmTermsRow): Pick<GateState, "confirmWithinMinutes"> {
  return { confirmWithinMinutes: row.confirm_within_minutes ?? null };
}

export const CONFIRM_TERMS_COLUMNS = ["confirm_within_minutes"];

export function confirmTermsValues(s: GateState): (number | null)[] {
  return [s.confirmWithinMinutes ?? null];
}
