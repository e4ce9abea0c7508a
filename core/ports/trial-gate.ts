import type { LogEntry } from "../fill-log/chain";
import type { ApplicantFilter } from "../first-come/applicant-filter";
import type {
  Application,
  ApplyResult,
  ConfirmResult,
  GateSnapshot,
  Refused,
  SealedValue,
  TrialTerms,
  WithdrawResult,
} from "../first-come/types";

/**
 * One gate per trial serializes its applications. Cloudflare implements it with a Durable
 * Object; the Deno target implements it on Deno KV. Callers never learn which.
 */
export interface TrialGate {
  /** Idempotent: the same terms twice change nothing. Refused once applications exist. */
  configure(terms: TrialTerms): Promise<ConfigureResult>;
  /**
   * Decide a batch of applications in one call (group commit, docs/decisions/0019), in the
   * order given: one result per request, at the same index. Every result is stored before
   * any is answered. A member named twice gets one application (the second is a repeat).
   */
  applyMany(requests: readonly ApplyRequest[]): Promise<ApplyResult[]>;
  findApplication(userId: string): Promise<Application | null>;
  /** The member gives up their place (DELETE /trials/:id/applications/me). */
  withdraw(userId: string): Promise<WithdrawResult>;
  /**
   * Compensation: the place of an application that can never be persisted (its member's
   * account is gone, its message is poison) is released and goes to the next in line.
   */
  release(applicationId: string, reason: string): Promise<WithdrawResult>;
  /**
   * The winner confirms their place (core/first-come/confirmation.ts) and hands over their
   * address, sealed: the gate stores the confirmation and puts the address in its event in one
   * transaction, so Postgres gets both or neither.
   */
  confirm(userId: string, address: SealedValue): Promise<ConfirmResult>;
  /**
   * Release every WON place past its confirmation deadline now, promoting the head of the
   * waitlist for each; answers how many were released. Each gate does this on its own clock
   * (the alarm; a timer and the minute cron on Deno): callers only make it sooner.
   */
  releaseOverdue(): Promise<number>;
  /** The ledger in seq order, a page at a time (reconciliation with Postgres). */
  ledger(afterSeq: number, limit: number): Promise<Application[]>;
  /**
   * The public fill log in gate order from entry `afterN + 1`, at most `limit` entries
   * (clamped like the ledger). Empty for an unknown trial.
   */
  log(afterN: number, limit: number): Promise<LogEntry[]>;
  /** Null when the gate was never configured (no such trial). */
  snapshot(): Promise<GateSnapshot | null>;
  /** Refuse further applications and tell every WON and WAITLISTED applicant. */
  cancel(): Promise<CancelResult>;
  /** Forget an unused configuration (trial creation failed after configure). */
  discard(): Promise<void>;
  /**
   * For a trial that refuses every newcomer (CLOSED or CANCELLED): the refusal and a filter
   * of every member holding an application, so the Workers can refuse newcomers themselves.
   * Null while the trial may still admit someone.
   */
  closedNotice(): Promise<ClosedNotice | null>;
  /** Attempts the Workers refused from a notice, counted as rejected demand. */
  countRejected(attempts: number): Promise<void>;
}

/** One application to decide: who applies, with what note. */
export interface ApplyRequest {
  userId: string;
  note: string | null;
}

export interface ClosedNotice {
  code: "TRIAL_CLOSED" | "TRIAL_CANCELLED";
  filter: ApplicantFilter;
}

/** The same terms again are configured too: configure is idempotent. */
export type ConfigureResult =
  | { kind: "configured"; snapshot: GateSnapshot }
  | Refused<"TRIAL_ALREADY_OPEN">;

/** Cancelling a cancelled trial is cancelled too, with nobody notified again. */
export type CancelResult =
  | { kind: "cancelled"; snapshot: GateSnapshot; notified: number }
  | Refused<"TRIAL_NOT_FOUND" | "TRIAL_CLOSED">;

export interface TrialGates {
  get(trialId: string): TrialGate;
}

/** The largest ledger page a gate hands out in one call. */
const MAX_LEDGER_PAGE = 1000;

export function clampLedgerLimit(limit: number): number {
  return Math.min(Math.max(Math.trunc(limit) || 1, 1), MAX_LEDGER_PAGE);
}
