import type { GateState, Ordering } from "../../core/first-come/types";

/**
 * The fairness modes' columns of the gate row (schema v6), read and written next to the
 * rest of the row by ledger.ts, kept here so the draw's storage is in one place.
 */

type FairnessRow = {
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

export function loadFairness(sql: SqlStorage): FairnessFields {
  const row = sql
    .exec<FairnessRow>(
      "SELECT ordering, shuffle_seconds, seed, drawn_at, pending FROM gate WHERE id = 1",
    )
    .toArray()[0];
  if (!row) return {};
  return {
    ordering: row.ordering as Ordering,
    shuffleSeconds: row.shuffle_seconds,
    seed: row.seed,
    drawnAt: row.drawn_at,
    pending: row.pending,
  };
}

/** Call after the row is written (saveGate), in the same transaction. */
export function saveFairness(sql: SqlStorage, s: GateState): void {
  sql.exec(
    "UPDATE gate SET ordering = ?, shuffle_seconds = ?, seed = ?, drawn_at = ?, pending = ? WHERE id = 1",
    s.ordering ?? "strict",
    s.shuffleSeconds ?? null,
    s.seed ?? null,
    s.drawnAt ?? null,
    s.pending ?? 0,
  );
}
