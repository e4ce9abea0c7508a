import type { GateEvent } from "../../core/first-come/types";
import type { DecisionQueue } from "../../core/ports/decision-queue";

/** Rows sent per queue call; matches the Cloudflare Queues batch limit. */
const FLUSH_BATCH = 100;

/**
 * The transactional outbox of a gate. An event is appended in the same storage
 * transaction as the decision it describes, and deleted only after the queue accepted
 * it, so a crash at any point leaves it either unsent (and retried) or sent.
 */
export class Outbox {
  constructor(private readonly sql: SqlStorage) {}

  /** Call inside the decision's transactionSync. */
  append(event: GateEvent, now: number): void {
    this.sql.exec(
      "INSERT INTO outbox (body, created_at) VALUES (?, ?)",
      JSON.stringify(event),
      now,
    );
  }

  pendingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
  }

  /**
   * Send everything pending, oldest first, in batches. Rows appended while a batch is in
   * flight are picked up by the next iteration, which is what batches a flood.
   * Throws (leaving the rest in place) when the queue refuses a batch.
   */
  async drainTo(queue: DecisionQueue): Promise<number> {
    let sent = 0;
    for (;;) {
      const rows = this.sql
        .exec<{ id: number; body: string }>(
          "SELECT id, body FROM outbox ORDER BY id LIMIT ?",
          FLUSH_BATCH,
        )
        .toArray();
      if (rows.length === 0) return sent;
      await queue.sendBatch(rows.map((r) => JSON.parse(r.body) as GateEvent));
      const last = rows[rows.length - 1] as { id: number };
      // Ids only grow, and the rows we read were the oldest ones: delete exactly those.
      this.sql.exec(
        "DELETE FROM outbox WHERE id >= ? AND id <= ?",
        (rows[0] as { id: number }).id,
        last.id,
      );
      sent += rows.length;
    }
  }
}
