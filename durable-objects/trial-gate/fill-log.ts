import type { LogEntry } from "../../core/fill-log/chain";
import type { LogKind } from "../../core/vocabulary/fill-log";

/**
 * The public fill log's rows (schema v5). Entries are only ever appended, inside the
 * transaction of the decision they record; `n` is the primary key, so a second writer of the
 * same place in the chain would fail the whole transaction rather than fork the log.
 */

type FillLogRow = {
  n: number;
  kind: string;
  seq: number;
  application_id: string;
  member_tag: string;
  outcome: string;
  at: number;
  prev_hash: string;
  hash: string;
};

/** Call inside the decision's transaction. */
export function appendLogEntries(sql: SqlStorage, entries: readonly LogEntry[]): void {
  for (const e of entries) {
    sql.exec(
      `INSERT INTO fill_log (n, kind, seq, application_id, member_tag, outcome, at, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      e.n,
      e.kind,
      e.seq,
      e.applicationId,
      e.memberTag,
      e.outcome,
      e.at,
      e.prevHash,
      e.hash,
    );
  }
}

/** Entries from `afterN + 1` in order, at most `limit`. */
export function logPage(sql: SqlStorage, afterN: number, limit: number): LogEntry[] {
  return sql
    .exec<FillLogRow>("SELECT * FROM fill_log WHERE n > ? ORDER BY n LIMIT ?", afterN, limit)
    .toArray()
    .map((r) => ({
      n: r.n,
      kind: r.kind as LogKind,
      seq: r.seq,
      applicationId: r.application_id,
      memberTag: r.member_tag,
      outcome: r.outcome,
      at: r.at,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
}
