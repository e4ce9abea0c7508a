/**
 * The Deno KV layout of one trial's gate. Every decision writes the state entry, so checking
 * its versionstamp in a commit proves that nothing else of the trial changed since it was read.
 */
export const gateKeys = {
  state: (trialId: string): Deno.KvKey => ["trial", trialId, "state"],
  application: (trialId: string, applicationId: string): Deno.KvKey => [
    "trial",
    trialId,
    "app",
    applicationId,
  ],
  applicationPrefix: (trialId: string): Deno.KvKey => ["trial", trialId, "app"],
  /** userId → applicationId: one place per member. */
  user: (trialId: string, userId: string): Deno.KvKey => ["trial", trialId, "user", userId],
  userPrefix: (trialId: string): Deno.KvKey => ["trial", trialId, "user"],
  /** seq → applicationId: the ledger in arrival order. */
  seq: (trialId: string, seq: number): Deno.KvKey => ["trial", trialId, "seq", seq],
  seqPrefix: (trialId: string): Deno.KvKey => ["trial", trialId, "seq"],
  /**
   * seq → applicationId for WAITLISTED applications only, so positions (ranks among the
   * waiting) and the head of the waitlist are short range reads bounded by the waitlist size.
   */
  waiting: (trialId: string, key: number | string): Deno.KvKey => [
    "trial",
    trialId,
    "waiting",
    key,
  ],
  waitingPrefix: (trialId: string): Deno.KvKey => ["trial", trialId, "waiting"],
  /**
   * n → the public fill log's entry n (1-based, gapless), written in the commit of the
   * decision it records; a range list reads the log in order.
   */
  log: (trialId: string, n: number): Deno.KvKey => ["trial", trialId, "log", n],
  logPrefix: (trialId: string): Deno.KvKey => ["trial", trialId, "log"],
  /** Events written with the decision they describe, drained to Postgres afterwards. */
  outbox: (trialId: string, at: number, commitId: string, index: number): Deno.KvKey => [
    "outbox",
    trialId,
    at,
    commitId,
    index,
  ],
  outboxPrefix: (trialId: string): Deno.KvKey => ["outbox", trialId],
  /** A cancellation whose TRIAL_CANCELLED events are still being written (cancel-fanout.ts). */
  cancelFanout: (trialId: string): Deno.KvKey => ["cancel-fanout", trialId],
  cancelFanoutPrefix: ["cancel-fanout"] as Deno.KvKey,
  /** trialId → the time of its owed draw (kv-draw.ts), until the draw is made. */
  drawDue: (trialId: string): Deno.KvKey => ["draw-due", trialId],
  drawDuePrefix: ["draw-due"] as Deno.KvKey,
  /**
   * confirmBy, applicationId → applicationId for WON places awaiting confirmation under a
   * window (kv-confirmations.ts): the overdue are a range read, the earliest the first key.
   */
  confirmBy: (trialId: string, at: number, applicationId: string): Deno.KvKey => [
    "trial",
    trialId,
    "confirm-by",
    at,
    applicationId,
  ],
  confirmByPrefix: (trialId: string): Deno.KvKey => ["trial", trialId, "confirm-by"],
  /**
   * trialId → a time at or before the trial's earliest confirmation deadline (a KvU64 kept
   * with an atomic min): where the minute cron finds deadlines nobody else is timing.
   */
  confirmDue: (trialId: string): Deno.KvKey => ["confirm-due", trialId],
  confirmDuePrefix: ["confirm-due"] as Deno.KvKey,
};
