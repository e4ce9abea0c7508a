import type { GateState, Ordering } from "../../core/first-come/types";

/**
 * The fairness modes' columns of the gate row (schema v6). ledger.ts reads and writes them
 * in the row's one SELECT and one upsert; their mapping lives here so the draw's storage is
 * in one place.
 */

export type FairnessRow = {
  ordering: string;
  shuffle_seconds: number | null;
  seed: string | null;
  drawn_at: number | null;
  pending: number;
};

type FairnessFields = Pick<
  GateState,
  "ordering" | "shuffleSeconds" | "seed" | "drawnAt" | "pending"
>;

export function fairnessOf(row: FairnessRow): FairnessFields {
  return {
    ordering: row.ordering as Ordering,
    shuffleSeconds: row.shuffle_seconds,
    seed: row.seed,
    drawnAt: row.drawn_at,
    pending: row.pending,
  };
}

/** The row's fairness columns for `s`, in FAIRNESS_COLUMNS order. */
export const FAIRNESS_COLUMNS = ["ordering", "shuffle_seconds", "seed", "drawn_at", "pending"];

export function fairnessValues(s: GateState): (string | number | null)[] {
  return [
    s.ordering ?? "strict",
    s.shuffleSeconds ?? null,
    s.seed ?? null,
    s.drawnAt ?? null,
    s.pending ?? 0,
  ];
}
