import { DurableObject } from "cloudflare:workers";
import type { Revocation, RevocationFeed, RevocationStore } from "../../core/ports/revocations";

/**
 * The revocation list on Cloudflare: ONE object (named REVOCATION_LIST_NAME by its caller,
 * workers/adapters/cloudflare/revocations.ts) that every isolate reads
 * at most once a second (docs/decisions/0024). Each revocation gets the next seq, so a
 * reader asks for what came after the last seq it saw; the epoch, drawn when the table is
 * created, tells a reader whose cursor belongs to an earlier, since-emptied list to start over.
 */
export class RevocationList extends DurableObject<Env> implements RevocationStore {
  private readonly sql: SqlStorage;
  private readonly epoch: string;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS revocations (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         user_id TEXT NOT NULL,
         at_ms INTEGER NOT NULL
       );
       CREATE TABLE IF NOT EXISTS meta (epoch TEXT NOT NULL)`,
    );
    const row = this.sql.exec<{ epoch: string }>("SELECT epoch FROM meta").toArray()[0];
    this.epoch = row?.epoch ?? crypto.randomUUID();
    if (!row) this.sql.exec("INSERT INTO meta (epoch) VALUES (?)", this.epoch);
  }

  async publish(revocation: Revocation, keepMs: number): Promise<void> {
    // The list stays as short as the tokens it can concern live: older entries go here.
    this.sql.exec("DELETE FROM revocations WHERE at_ms < ?", Date.now() - keepMs);
    this.sql.exec(
      "INSERT INTO revocations (user_id, at_ms) VALUES (?, ?)",
      revocation.userId,
      revocation.atMs,
    );
  }

  async since(cursor: string | null, keepMs: number): Promise<RevocationFeed> {
    const [epoch, seqText] = cursor?.split("/") ?? [];
    const after = Number(seqText);
    const resume = epoch === this.epoch && Number.isSafeInteger(after);
    const rows = this.sql
      .exec<{ seq: number; user_id: string; at_ms: number }>(
        "SELECT seq, user_id, at_ms FROM revocations WHERE seq > ? AND at_ms >= ? ORDER BY seq",
        resume ? after : 0,
        Date.now() - keepMs,
      )
      .toArray();
    const last = rows.at(-1)?.seq ?? (resume ? after : this.lastSeq());
    return {
      cursor: `${this.epoch}/${last}`,
      reset: !resume,
      entries: rows.map((r) => ({ userId: r.user_id, atMs: r.at_ms })),
    };
  }

  private lastSeq(): number {
    return (
      this.sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM revocations").toArray()[0]
        ?.seq ?? 0
    );
  }
}
