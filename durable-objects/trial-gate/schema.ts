/**
 * The gate's own SQLite schema, versioned inside the object: every instance upgrades
 * itself on wake-up, so a deploy never needs a coordinated migration of millions of objects.
 * Append new steps; never edit a shipped one.
 */
const steps: readonly string[] = [
  // v1: terms and counters (one row), the ledger of applications, and the outbox.
  `CREATE TABLE gate (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     trial_id TEXT NOT NULL,
     slots INTEGER NOT NULL,
     waitlist_size INTEGER NOT NULL,
     opens_at INTEGER NOT NULL,
     closes_at INTEGER NOT NULL,
     next_seq INTEGER NOT NULL,
     won INTEGER NOT NULL,
     waitlisted INTEGER NOT NULL,
     rejected INTEGER NOT NULL,
     cancelled_at INTEGER,
     filled_at INTEGER
   );
   CREATE TABLE applications (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL UNIQUE,
     seq INTEGER NOT NULL UNIQUE,
     status TEXT NOT NULL,
     position INTEGER,
     note TEXT,
     applied_at INTEGER NOT NULL,
     decided_at INTEGER NOT NULL,
     version INTEGER NOT NULL
   );
   CREATE TABLE outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     body TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // v2: the status last announced to Postgres, so transitions are told exactly once.
  `ALTER TABLE gate ADD COLUMN announced_status TEXT;
   ALTER TABLE gate ADD COLUMN announced_reason TEXT;
   ALTER TABLE gate ADD COLUMN status_version INTEGER NOT NULL DEFAULT 0;`,
  // v3: counters of given-up places and promotions, for statistics.
  `ALTER TABLE gate ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE gate ADD COLUMN promoted INTEGER NOT NULL DEFAULT 0;`,
  // v4: live-room tickets already spent (each opens one socket), kept until they expire.
  `CREATE TABLE live_tickets (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);`,
  // v5: the public fill log (issue 16): its head and the member-tag secret on the gate row
  // (NULL until the next commit of a gate stored before: ledger.ts fills them in), each
  // application's tag and latest entry, and the entries, written with their decisions.
  `ALTER TABLE gate ADD COLUMN log_n INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE gate ADD COLUMN log_hash TEXT;
   ALTER TABLE gate ADD COLUMN tag_secret TEXT;
   ALTER TABLE applications ADD COLUMN member_tag TEXT;
   ALTER TABLE applications ADD COLUMN last_entry_n INTEGER;
   ALTER TABLE applications ADD COLUMN last_entry_hash TEXT;
   CREATE TABLE fill_log (
     n INTEGER PRIMARY KEY,
     kind TEXT NOT NULL,
     seq INTEGER NOT NULL,
     application_id TEXT NOT NULL,
     member_tag TEXT NOT NULL,
     outcome TEXT NOT NULL,
     at INTEGER NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );`,
  // v6: fairness modes (issue 16): the ordering, the secret seed and the draw's progress
  // (fairness.ts), on the gate row; a gate stored before is strict.
  `ALTER TABLE gate ADD COLUMN ordering TEXT NOT NULL DEFAULT 'strict';
   ALTER TABLE gate ADD COLUMN shuffle_seconds INTEGER;
   ALTER TABLE gate ADD COLUMN seed TEXT;
   ALTER TABLE gate ADD COLUMN drawn_at INTEGER;
   ALTER TABLE gate ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;`,
  // v7: the winner's confirmation (issue 17, confirmations.ts): the window on the gate row;
  // each application's deadline, confirmation and reason for a cancellation; the deadlines
  // the alarm looks for, indexed.
  `ALTER TABLE gate ADD COLUMN confirm_within_minutes INTEGER;
   ALTER TABLE applications ADD COLUMN confirm_by INTEGER;
   ALTER TABLE applications ADD COLUMN confirmed_at INTEGER;
   ALTER TABLE applications ADD COLUMN cancelled_reason TEXT;
   CREATE INDEX applications_confirm_by ON applications (confirm_by)
     WHERE status = 'WON' AND confirmed_at IS NULL;`,
  // v8: a drawn entrant's rank key: the waitlist after a draw is served in rank order
  // (ledger.ts WAIT_ORDER), ahead of later arrivals.
  `ALTER TABLE applications ADD COLUMN draw_rank TEXT;`,
];

export const GATE_SCHEMA_VERSION = steps.length;

/**
 * Whether this object has ever been configured (its schema exists). Reading sqlite_master
 * writes nothing, so an object woken for a trial that does not exist stays empty and is
 * never stored (issue 13, finding 11): only configure creates the schema.
 */
export function hasGateSchema(sql: SqlStorage): boolean {
  return (
    sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_meta'").toArray()
      .length > 0
  );
}

/** Creates or upgrades the schema; runs before the object reads or writes its tables. */
export function migrateGateSchema(sql: SqlStorage, storage: DurableObjectStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_meta (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM schema_meta").toArray()[0];
  const current = row?.version ?? 0;
  if (current >= steps.length) return;
  storage.transactionSync(() => {
    for (let v = current; v < steps.length; v++) sql.exec(steps[v] as string);
    if (row) sql.exec("UPDATE schema_meta SET version = ?", steps.length);
    else sql.exec("INSERT INTO schema_meta (version) VALUES (?)", steps.length);
  });
}
