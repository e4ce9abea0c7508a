/**
 * The first-come domain, shared by every runtime. Times are epoch milliseconds here;
 * the HTTP layer turns them into ISO-8601 strings.
 */

import type { LogHead } from "../fill-log/chain";
import type { ApplicationStatus, CancelledReason, Outcome } from "../vocabulary/applications";
import type { ErrorCode } from "../vocabulary/error-codes";
import type { ClosedReason, Ordering, TrialStatus } from "../vocabulary/trials";

export type { ApplicationStatus, CancelledReason, ClosedReason, Ordering, Outcome, TrialStatus };

/** Why a gate refused an application; each is a stable API error code. */
export type RefusalCode = Extract<
  ErrorCode,
  "TRIAL_NOT_FOUND" | "TRIAL_NOT_OPEN" | "TRIAL_CLOSED" | "TRIAL_CANCELLED"
>;

/** What the company decided when it created the trial. */
export interface TrialTerms {
  trialId: string;
  slots: number;
  waitlistSize: number;
  opensAt: number;
  closesAt: number;
  /** Absent on terms written before fairness modes existed: strict. */
  ordering?: Ordering;
  /** Seconds of the draw window after opensAt; set only with shuffle-at-open. */
  shuffleSeconds?: number | null;
  /**
   * Minutes a winner has to confirm (core/first-come/confirmation.ts); absent or null: no
   * deadline (a winner still confirms to give an address).
   */
  confirmWithinMinutes?: number | null;
}

/** Everything the gate needs to decide the next application, and nothing more. */
export interface GateState extends TrialTerms {
  /** The seq the next admitted applicant gets (1-based, gapless). */
  nextSeq: number;
  won: number;
  waitlisted: number;
  /** Attempts refused because every place was taken (statistics call this demand). */
  rejected: number;
  /** Places given up (by members or by compensation), and waitlisted members promoted. */
  cancelled: number;
  promoted: number;
  cancelledAt: number | null;
  /** When the last place was taken; null while places remain. */
  filledAt: number | null;
  /** The status last told to the outside world (Postgres), and how many times it changed. */
  announcedStatus: TrialStatus | null;
  announcedReason: ClosedReason | null;
  statusVersion: number;
  /** The public fill log's end (core/fill-log): what the next entry chains to. */
  log: LogHead;
  /** The trial's secret behind its members' tags (memberTagOf); it never leaves the gate. */
  tagSecret: string;
  /**
   * The draw's seed (core/first-come/draw.ts): made at configure for a non-strict trial and
   * published only once drawn; its commitment is public from creation. Absent: none yet.
   */
  seed?: string | null;
  /** The log's head hash the draw ranks with, fixed by its first part (draw.ts). */
  drawLogHash?: string | null;
  /** When the draw was made; absent or null until then (drawn exactly once). */
  drawnAt?: number | null;
  /** Applications waiting for the draw (PENDING). */
  pending?: number;
}

export interface Application {
  id: string;
  trialId: string;
  userId: string;
  seq: number;
  status: ApplicationStatus;
  /**
   * 1-based place in the waitlist while WAITLISTED, null otherwise. Derived from seq order
   * among the waiting (never stored as truth), so a cancellation moves everyone up at once.
   */
  position: number | null;
  note: string | null;
  appliedAt: number;
  decidedAt: number;
  /** Grows with every change the gate makes, so consumers can apply changes idempotently. */
  version: number;
  /** The member's pseudonym in this trial, as the public fill log shows it. */
  memberTag: string;
  /**
   * The application's latest entry in the fill log, which its receipt signs; null only for
   * an application decided before its gate kept a log.
   */
  lastEntry: LogHead | null;
  /**
   * The winner's confirmation (confirmation.ts), absent on applications stored before it
   * existed: the deadline while WON under a window, and when the winner confirmed.
   */
  confirmBy?: number | null;
  confirmedAt?: number | null;
  /**
   * A drawn entrant's rank key (draw.ts rankKeyOf, lowercase hex): the waitlist after a draw
   * is served in rank order, ahead of anyone who arrives later (a shuffle's window ends before
   * anyone else is admitted). Absent: not drawn.
   */
  drawRank?: string | null;
  /** Why a CANCELLED application was cancelled; absent before reasons were kept. */
  cancelledReason?: CancelledReason | null;
}

/** An application was decided or changed; carries the whole application. */
export interface DecisionEvent {
  /** Schema version of this message. */
  v: 1;
  type: "application";
  /** Unique per event: lets consumers recognise redeliveries. */
  eventId: string;
  outcome: Outcome;
  application: DecidedApplication;
}

/**
 * An application as the decisions queue carries it: without what only the public log and
 * receipts need (its member's tag, its latest entry), so the consumers' messages are the
 * same as before the log existed.
 */
export type DecidedApplication = Omit<Application, "memberTag" | "lastEntry">;

/** The trial's status changed (opened, filled, ended, cancelled), by the gate's clock. */
export interface TrialStatusEvent {
  v: 1;
  type: "trial-status";
  eventId: string;
  trialId: string;
  status: TrialStatus;
  closedReason: ClosedReason | null;
  /** Grows with every announcement, so an older one never overwrites a newer one. */
  version: number;
  at: number;
}

/** An address sealed for storage (workers/personal-data): the key's id and the ciphertext. */
export interface SealedValue {
  keyId: string;
  sealed: string;
}

/**
 * A winner confirmed in time: the application (confirmedAt set) and the address they gave,
 * sealed before it reached the gate, so Postgres gets both or neither.
 */
export interface ConfirmationEvent {
  v: 1;
  type: "confirmation";
  eventId: string;
  application: DecidedApplication;
  address: SealedValue;
}

/** Everything a gate's outbox carries to the queue. */
export type GateEvent = DecisionEvent | TrialStatusEvent | ConfirmationEvent;

/** The live view of a trial, as its gate sees it. */
export interface GateSnapshot {
  trialId: string;
  status: TrialStatus;
  closedReason: ClosedReason | null;
  slots: number;
  waitlistSize: number;
  won: number;
  waitlisted: number;
  remaining: number;
  applicants: number;
  rejected: number;
  cancelled: number;
  promoted: number;
  opensAt: number;
  closesAt: number;
  filledAt: number | null;
  /** The announcement counter behind `status` (see TrialStatusEvent.version). */
  statusVersion: number;
  /** The public fill log's end. */
  log: LogHead;
  ordering: Ordering;
  shuffleSeconds: number | null;
  confirmWithinMinutes: number | null;
  /** SHA-256 of the seed text; null for strict. */
  seedCommitment: string | null;
  /** The seed, once drawn; null before (and for strict). */
  seed: string | null;
}

/**
 * The one shape of a refusal, for every gate verb and every decision: `kind` says what
 * happened, and a refusal carries a stable API error code instead of a throw.
 */
export interface Refused<Code extends ErrorCode> {
  kind: "refused";
  code: Code;
}

export type WithdrawResult =
  | { kind: "withdrawn"; application: Application; promoted: Application | null }
  | { kind: "unchanged"; application: Application }
  | Refused<RefusalCode | "APPLICATION_NOT_FOUND">;

export type ConfirmResult =
  | { kind: "confirmed"; application: Application }
  | Refused<
      | "TRIAL_NOT_FOUND"
      | "APPLICATION_NOT_FOUND"
      | "NOT_A_WINNER"
      | "CONFIRMATION_CLOSED"
      | "ALREADY_CONFIRMED"
    >;

export type ApplyResult =
  | { kind: "created"; application: Application }
  | { kind: "existing"; application: Application }
  | Refused<RefusalCode>;
