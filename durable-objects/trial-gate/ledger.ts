import { applicationWithTag, gateStateWithLog } from "../../core/fill-log/stored";
import type {
  Application,
  ApplicationStatus,
  CancelledReason,
  ClosedReason,
  GateState,
  TrialStatus,
} from "../../core/first-come/types";
import {
  CONFIRM_TERMS_COLUMNS,
  type ConfirmTermsRow,
  confirmTermsOf,
  confirmTermsValues,
} from "./confirm-terms";
import { FAIRNESS_COLUMNS, type FairnessRow, fairnessOf, fairnessValues } from "./fairness";

/** Row mapping between the gate's SQLite tables and the shared domain types. */

/** What reading an application needs from its gate: the trial, and the secret behind tags. */
export type GateKey = Pick<GateState, "trialId" | "tagSecret">;

type GateRow = FairnessRow &
  ConfirmTermsRow & {
    trial_id: string;
    slots: number;
    waitlist_size: number;
    opens_at: number;
    closes_at: number;
    next_seq: number;
    won: number;
    waitlisted: number;
    rejected: number;
    cancelled: number;
    promoted: number;
    cancelled_at: number | null;
    filled_at: number | null;
    announced_status: string | null;
    announced_reason: string | null;
    status_version: number;
    /** v5; NULL hash/secret on a gate stored before the fill log. */
    log_n: number;
    log_hash: string | null;
    tag_secret: string | null;
  };

type ApplicationRow = {
  id: string;
  user_id: string;
  seq: number;
  status: string;
  position: number | null;
  note: string | null;
  applied_at: number;
  decided_at: number;
  version: number;
  /** v5; NULL on an application stored before the fill log. */
  member_tag: string | null;
  last_entry_n: number | null;
  last_entry_hash: string | null;
  /** v7; NULL on an application stored before confirmations. */
  confirm_by: number | null;
  confirmed_at: number | null;
  cancelled_reason: string | null;
  /** v8; the draw's rank key, NULL when not drawn. */
  draw_rank: string | null;
};

/**
 * The waitlist's order: members drawn onto it in rank order, ahead of every later arrival (a
 * shuffle's window ends before anyone else is admitted), then everyone else by seq.
 */
const WAIT_ORDER = "draw_rank IS NULL, draw_rank, seq";

/** Rows with their place in the waitlist (`wait_pos`, NULL unless WAITLISTED). */
const WITH_WAIT_POS = `SELECT a.*, w.pos AS wait_pos FROM applications a
  LEFT JOIN (SELECT id, row_number() OVER (ORDER BY ${WAIT_ORDER}) AS pos
               FROM applications WHERE status = 'WAITLISTED') w ON w.id = a.id`;

type PositionedRow = ApplicationRow & { wait_pos: number | null };

export function loadGate(sql: SqlStorage): GateState | null {
  const row = sql.exec<GateRow>("SELECT * FROM gate WHERE id = 1").toArray()[0];
  if (!row) return null;
  return gateStateWithLog({
    trialId: row.trial_id,
    slots: row.slots,
    waitlistSize: row.waitlist_size,
    opensAt: row.opens_at,
    closesAt: row.closes_at,
    nextSeq: row.next_seq,
    won: row.won,
    waitlisted: row.waitlisted,
    rejected: row.rejected,
    cancelled: row.cancelled,
    promoted: row.promoted,
    cancelledAt: row.cancelled_at,
    filledAt: row.filled_at,
    announcedStatus: row.announced_status as TrialStatus | null,
    announcedReason: row.announced_reason as ClosedReason | null,
    statusVersion: row.status_version,
    log: row.log_hash === null ? undefined : { n: row.log_n, hash: row.log_hash },
    tagSecret: row.tag_secret ?? undefined,
    ...fairnessOf(row),
    ...confirmTermsOf(row),
  });
}

/** Every column of the gate row, written by one upsert per commit (a batch, not an application). */
const GATE_COLUMNS = [
  "trial_id",
  "slots",
  "waitlist_size",
  "opens_at",
  "closes_at",
  "next_seq",
  "won",
  "waitlisted",
  "rejected",
  "cancelled_at",
  "filled_at",
  "announced_status",
  "announced_reason",
  "status_version",
  "cancelled",
  "promoted",
  "log_n",
  "log_hash",
  "tag_secret",
  ...FAIRNESS_COLUMNS,
  ...CONFIRM_TERMS_COLUMNS,
];

const UPSERT_GATE = `INSERT INTO gate (id, ${GATE_COLUMNS.join(", ")})
  VALUES (1, ${GATE_COLUMNS.map(() => "?").join(", ")})
  ON CONFLICT (id) DO UPDATE SET ${GATE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", ")}`;

export function saveGate(sql: SqlStorage, s: GateState): void {
  sql.exec(
    UPSERT_GATE,
    s.trialId,
    s.slots,
    s.waitlistSize,
    s.opensAt,
    s.closesAt,
    s.nextSeq,
    s.won,
    s.waitlisted,
    s.rejected,
    s.cancelledAt,
    s.filledAt,
    s.announcedStatus,
    s.announcedReason,
    s.statusVersion,
    s.cancelled,
    s.promoted,
    s.log.n,
    s.log.hash,
    s.tagSecret,
    ...fairnessValues(s),
    ...confirmTermsValues(s),
  );
}

/**
 * Current holders of a place, and entrants waiting for a draw that will now never come, in
 * seq order: the people a cancellation must reach.
 */
export function listHolders(sql: SqlStorage, gate: GateKey): Application[] {
  return sql
    .exec<PositionedRow>(
      `${WITH_WAIT_POS} WHERE a.status IN ('WON', 'WAITLISTED', 'PENDING') ORDER BY a.seq`,
    )
    .toArray()
    .map(positioned(gate));
}

/** The applications waiting for the draw, in seq order (the draw ranks them itself). */
export function listPending(sql: SqlStorage, gate: GateKey): Application[] {
  return sql
    .exec<ApplicationRow>("SELECT * FROM applications WHERE status = 'PENDING' ORDER BY seq")
    .toArray()
    .map((r) => ({ ...toApplication(gate, r), position: null }));
}

/** Maps rows read with WITH_WAIT_POS: a WAITLISTED one gets its place, others none. */
function positioned(gate: GateKey) {
  return (r: PositionedRow): Application => ({
    ...toApplication(gate, r),
    position: r.status === "WAITLISTED" ? r.wait_pos : null,
  });
}

export function findApplicationByUser(
  sql: SqlStorage,
  gate: GateKey,
  userId: string,
): Application | null {
  const row = sql
    .exec<ApplicationRow>("SELECT * FROM applications WHERE user_id = ?", userId)
    .toArray()[0];
  return row ? withPosition(sql, toApplication(gate, row)) : null;
}

export function findApplicationById(
  sql: SqlStorage,
  gate: GateKey,
  id: string,
): Application | null {
  const row = sql.exec<ApplicationRow>("SELECT * FROM applications WHERE id = ?", id).toArray()[0];
  return row ? withPosition(sql, toApplication(gate, row)) : null;
}

/** The head of the waitlist (WAIT_ORDER). */
export function firstWaiting(sql: SqlStorage, gate: GateKey): Application | null {
  const row = sql
    .exec<ApplicationRow>(
      `SELECT * FROM applications WHERE status = 'WAITLISTED' ORDER BY ${WAIT_ORDER} LIMIT 1`,
    )
    .toArray()[0];
  return row ? toApplication(gate, row) : null;
}

/** Writes a changed application (status, decision time, version, tag, latest entry). */
export function updateApplication(sql: SqlStorage, a: Application): void {
  sql.exec(
    `UPDATE applications SET status = ?, position = ?, decided_at = ?, version = ?,
       member_tag = ?, last_entry_n = ?, last_entry_hash = ?, confirm_by = ?, confirmed_at = ?,
       cancelled_reason = ?, draw_rank = ? WHERE id = ?`,
    a.status,
    a.position,
    a.decidedAt,
    a.version,
    a.memberTag,
    a.lastEntry?.n ?? null,
    a.lastEntry?.hash ?? null,
    a.confirmBy ?? null,
    a.confirmedAt ?? null,
    a.cancelledReason ?? null,
    a.drawRank ?? null,
    a.id,
  );
}

/**
 * Positions are ranks among the waiting, computed when read: one cancellation moves the
 * whole waitlist up without rewriting it, and positions stay gapless by construction.
 */
function withPosition(sql: SqlStorage, a: Application): Application {
  if (a.status !== "WAITLISTED") return { ...a, position: null };
  // Everyone waiting ahead of `a` in WAIT_ORDER, and `a` itself.
  const rank = a.drawRank
    ? sql
        .exec<{ n: number }>(
          "SELECT count(*) AS n FROM applications WHERE status = 'WAITLISTED' AND draw_rank <= ?",
          a.drawRank,
        )
        .one().n
    : sql
        .exec<{ n: number }>(
          `SELECT count(*) AS n FROM applications WHERE status = 'WAITLISTED'
             AND (draw_rank IS NOT NULL OR seq <= ?)`,
          a.seq,
        )
        .one().n;
  return { ...a, position: rank };
}

/** A page of the ledger in seq order (positions computed), for reconciliation. */
export function ledgerPage(
  sql: SqlStorage,
  gate: GateKey,
  afterSeq: number,
  limit: number,
): Application[] {
  return sql
    .exec<PositionedRow>(`${WITH_WAIT_POS} WHERE a.seq > ? ORDER BY a.seq LIMIT ?`, afterSeq, limit)
    .toArray()
    .map(positioned(gate));
}

export function insertApplication(sql: SqlStorage, a: Application): void {
  sql.exec(
    `INSERT INTO applications (id, user_id, seq, status, position, note, applied_at, decided_at,
       version, member_tag, last_entry_n, last_entry_hash, confirm_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    a.id,
    a.userId,
    a.seq,
    a.status,
    a.position,
    a.note,
    a.appliedAt,
    a.decidedAt,
    a.version,
    a.memberTag,
    a.lastEntry?.n ?? null,
    a.lastEntry?.hash ?? null,
    a.confirmBy ?? null,
  );
}

/** Every member holding an application, whatever its status (a repeat gets it back). */
export function applicantIds(sql: SqlStorage): string[] {
  return sql
    .exec<{ user_id: string }>("SELECT user_id FROM applications")
    .toArray()
    .map((r) => r.user_id);
}

function toApplication(gate: GateKey, r: ApplicationRow): Application {
  return applicationWithTag(
    {
      id: r.id,
      trialId: gate.trialId,
      userId: r.user_id,
      seq: r.seq,
      status: r.status as ApplicationStatus,
      position: r.position,
      note: r.note,
      appliedAt: r.applied_at,
      decidedAt: r.decided_at,
      version: r.version,
      memberTag: r.member_tag ?? undefined,
      lastEntry:
        r.last_entry_n === null || r.last_entry_hash === null
          ? null
          : { n: r.last_entry_n, hash: r.last_entry_hash },
      confirmBy: r.confirm_by,
      drawRank: r.draw_rank,
      confirmedAt: r.confirmed_at,
      cancelledReason: r.cancelled_reason as CancelledReason | null,
    },
    gate.tagSecret,
  );
}

/**
 * WON places past their deadline, unconfirmed, in deadline order (the alarm releases them;
 * the partial index keeps this a short read however large the ledger).
 */
export function listOverdue(sql: SqlStorage, gate: GateKey, now: number): Application[] {
  return sql
    .exec<ApplicationRow>(
      `SELECT * FROM applications WHERE status = 'WON' AND confirmed_at IS NULL
         AND confirm_by IS NOT NULL AND confirm_by < ? ORDER BY confirm_by, seq`,
      now,
    )
    .toArray()
    .map((r) => toApplication(gate, r));
}

/** The earliest deadline of an unconfirmed WON place, or null: when the alarm must wake. */
export function earliestDeadline(sql: SqlStorage): number | null {
  return (
    sql
      .exec<{ at: number | null }>(
        `SELECT min(confirm_by) AS at FROM applications
           WHERE status = 'WON' AND confirmed_at IS NULL AND confirm_by IS NOT NULL`,
      )
      .one().at ?? null
  );
}
