import { type LogEntry, memberTagOf } from "../core/fill-log/chain.ts";
import { type LoggedChange, recordInLog } from "../core/fill-log/record.ts";
import { withLoggedApplications } from "../core/fill-log/stored.ts";
import { buildApplicantFilter } from "../core/first-come/applicant-filter.ts";
import { decideConfirmation } from "../core/first-come/confirmation.ts";
import { countRejected, newcomerRefusal, snapshotOf } from "../core/first-come/decide.ts";
import { decideBatch } from "../core/first-come/decide-batch.ts";
import { configureTerms, decideCancellation } from "../core/first-come/decide-terms.ts";
import {
  releaseUnconfirmed,
  type WithdrawDecision,
  withdraw,
} from "../core/first-come/decide-withdrawal.ts";
import { drawDue } from "../core/first-come/draw.ts";
import { announceStatus, applicationEvent, confirmationEvent } from "../core/first-come/events.ts";
import { logPlaceReleased } from "../core/first-come/gate-log.ts";
import type {
  Application,
  ApplyResult,
  ConfirmResult,
  GateEvent,
  GateSnapshot,
  GateState,
  Outcome,
  SealedValue,
  TrialTerms,
  WithdrawResult,
} from "../core/first-come/types.ts";
import { describeError, log } from "../core/log.ts";
import {
  type ApplyRequest,
  type CancelResult,
  type ClosedNotice,
  type ConfigureResult,
  clampLedgerLimit,
  type TrialGate,
  type TrialGates,
} from "../core/ports/trial-gate.ts";
import { fanOutCancellation, NEW_FANOUT } from "./cancel-fanout.ts";
import { gateKeys } from "./keys.ts";
import { batchRequestCost } from "./kv-batch-cost.ts";
import { type CommitLimits, KV_COMMIT_LIMITS, splitForCommits } from "./kv-commit-plan.ts";
import { earliestDeadline, firstOverdue, writeDeadline } from "./kv-confirmations.ts";
import { drawIndexWrite, drawPart } from "./kv-draw.ts";
import { logPage, readGateState } from "./kv-fill-log.ts";
import {
  commitGateState,
  type StateEntry,
  stored,
  waitingKeyOf,
  writeApplication,
  writeLogEntries,
} from "./kv-gate-writes.ts";
import {
  findApplicationById,
  findApplicationByUser,
  firstWaiting,
  ledgerPage,
  readBatch,
} from "./kv-ledger.ts";
import { LOST_RACE, untilCommitted } from "./retry.ts";
import { KeyedSerializer } from "./serializer.ts";

export interface KvGateOptions {
  /**
   * Called after every commit that wrote outbox events: the runtime drains them to Postgres
   * in the background. A crash before that loses nothing: the events stay in the outbox
   * until the cron drain (deno/outbox.ts) delivers them.
   */
  afterCommit?(trialId: string): void;
  /** KV's per-commit limits; tests lower them to see a batch split into several commits. */
  commitLimits?: CommitLimits;
  /**
   * Called when a commit gave a winner a confirmation deadline, and after a release with the
   * trial's next one: the runtime arms a timer that calls releaseOverdue (deadline-timers.ts).
   */
  onDeadline?(trialId: string, at: number): void;
}

/**
 * The gates of one isolate share one serializer, so two handles to a trial still queue, and
 * one set of trials that will never owe a draw, so a hot strict trial skips that read.
 */
export function kvTrialGates(kv: Deno.Kv, options: KvGateOptions = {}): TrialGates {
  const serializer = new KeyedSerializer();
  const drawSettled = new Set<string>();
  return { get: (trialId) => new KvTrialGate(kv, trialId, serializer, drawSettled, options) };
}

/**
 * The trial gate on Deno KV, deciding with the same pure functions as the Durable Object.
 * Every decision is one atomic commit that checks the state entry's versionstamp and writes
 * the state, the application, its indexes, its public fill log entries and the outbox events
 * together: two isolates can never take the same seq or the same place in the log, and an
 * event or an entry exists exactly when its decision does.
 */
class KvTrialGate implements TrialGate {
  constructor(
    private readonly kv: Deno.Kv,
    private readonly trialId: string,
    private readonly serializer: KeyedSerializer,
    /** Trials seen with drawSettled: no draw to look for before deciding (per isolate). */
    private readonly drawSettled: Set<string>,
    private readonly options: KvGateOptions = {},
  ) {}

  private get limits(): CommitLimits {
    return this.options.commitLimits ?? KV_COMMIT_LIMITS;
  }

  configure(terms: TrialTerms): Promise<ConfigureResult> {
    return this.decide(async () => {
      const entry = await this.loadState();
      const now = Date.now();
      const decision = configureTerms(entry.value, terms, now);
      if (decision.kind === "refused") return decision;
      if (decision.kind === "unchanged") {
        return { kind: "configured" as const, snapshot: snapshotOf(decision.state, now) };
      }
      const next = decision.next;
      const op = this.kv.atomic();
      drawIndexWrite(op, next);
      const ok = await this.commitState(entry, next, [], op);
      return ok ? { kind: "configured" as const, snapshot: snapshotOf(next, now) } : LOST_RACE;
    });
  }

  /**
   * Group commit on KV: the batch is decided in order from one read (the state and every
   * member's entry, in parallel) and written in as few atomic commits as KV's limits allow,
   * each checked by the state's versionstamp and chained to the previous one's. A result is
   * final once its commit is; a lost race re-reads and decides only what is still undecided,
   * so an isolate that dies between two commits has stored a prefix of the batch, all of it
   * consistent, and answered nobody.
   */
  applyMany(requests: readonly ApplyRequest[]): Promise<ApplyResult[]> {
    const results: (ApplyResult | undefined)[] = new Array(requests.length);
    return this.decide(async () => {
      const open = requests.flatMap((request, index) =>
        results[index] === undefined ? [{ ...request, index, applicationId: "" }] : [],
      );
      const read = await readBatch(
        this.kv,
        this.trialId,
        open.map((r) => r.userId),
      );
      if (read === LOST_RACE) return LOST_RACE;
      let entry = read.entry;
      if (!entry.value) {
        for (const r of open) results[r.index] = { kind: "refused", code: "TRIAL_NOT_FOUND" };
        return results as ApplyResult[];
      }
      const held = read.existing;
      const now = Date.now();
      for (const part of splitForCommits(open, batchRequestCost(this.trialId), this.limits)) {
        const state: GateState = entry.value as GateState;
        for (const r of part) r.applicationId = crypto.randomUUID();
        const decision = decideBatch(state, part, held, now);
        // Each admission is an APPLIED entry chained from the head the previous part wrote.
        const logged = recordInLog(
          decision.next,
          decision.admitted.map((application) => ({ kind: "APPLIED", application })),
          now,
        );
        if (decision.admitted.length > 0 || decision.next !== state) {
          // Taking the last place closes the trial (FULL): announced once, after the
          // applications that caused it.
          const { next, events: announced } = announceStatus(logged.next, now);
          const op = this.kv.atomic();
          for (const application of logged.applications) {
            writeApplication(op, this.trialId, application);
            writeDeadline(op, this.trialId, null, application);
          }
          writeLogEntries(op, this.trialId, logged.entries);
          const events = logged.applications.map((a) => applicationEvent(outcomeOf(a), a));
          const versionstamp = await this.commitState(entry, next, [...events, ...announced], op);
          if (!versionstamp) return LOST_RACE;
          entry = { key: entry.key, value: next, versionstamp };
          const deadline = logged.applications.find((a) => a.confirmBy)?.confirmBy;
          if (deadline) this.options.onDeadline?.(this.trialId, deadline);
        }
        const answers = withLoggedApplications(decision.results, logged.applications);
        part.forEach((r, i) => {
          results[r.index] = answers[i];
        });
        for (const application of logged.applications) held.set(application.userId, application);
      }
      return results as ApplyResult[];
    });
  }

  async findApplication(userId: string): Promise<Application | null> {
    await this.settleDraw();
    return findApplicationByUser(this.kv, this.trialId, userId);
  }

  withdraw(userId: string): Promise<WithdrawResult> {
    return this.decide(async () => {
      const entry = await this.loadState();
      if (!entry.value) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
      const application = await findApplicationByUser(this.kv, this.trialId, userId);
      return this.withdrawNow(entry, application, "WITHDRAWN", (state, a, head, now) =>
        withdraw(state, a, head, now, "WITHDRAWN"),
      );
    });
  }

  release(applicationId: string, reason: string): Promise<WithdrawResult> {
    return this.decide(async () => {
      const entry = await this.loadState();
      if (!entry.value) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
      const application = await findApplicationById(this.kv, this.trialId, applicationId);
      const result = await this.withdrawNow(entry, application, "RELEASED", (state, a, head, now) =>
        withdraw(state, a, head, now, "RELEASED"),
      );
      if (result !== LOST_RACE) logPlaceReleased(this.trialId, applicationId, reason, result);
      return result;
    });
  }

  confirm(userId: string, address: SealedValue): Promise<ConfirmResult> {
    return this.decide(async () => {
      const entry = await this.loadState();
      if (!entry.value) return { kind: "refused" as const, code: "TRIAL_NOT_FOUND" as const };
      const before = await findApplicationByUser(this.kv, this.trialId, userId);
      const decision = decideConfirmation(entry.value, before, Date.now());
      if (decision.kind === "refused" || !before) return decision;
      // The confirmation and the event carrying its sealed address: both or neither.
      const op = this.kv
        .atomic()
        .set(gateKeys.application(this.trialId, before.id), stored(decision.application));
      writeDeadline(op, this.trialId, before, decision.application);
      const event = confirmationEvent(decision.application, address);
      return (await this.commitState(entry, entry.value, [event], op)) ? decision : LOST_RACE;
    });
  }

  /**
   * Every overdue place released, one commit each (each promotes the head of the waitlist as
   * it stands after the previous one); then the next deadline is handed to the timer and the
   * cron's hint is set to it, checked against the state so no new deadline slips between.
   */
  async releaseOverdue(): Promise<number> {
    let released = 0;
    for (;;) {
      const step = await this.decide(async () => {
        const entry = await this.loadState();
        if (!entry.value) return "done" as const;
        const now = Date.now();
        const overdue = await firstOverdue(this.kv, this.trialId, now);
        if (!overdue) return (await this.settleDeadlineHint(entry)) ? ("done" as const) : LOST_RACE;
        if (!overdue.application) {
          const ok = await this.commitState(
            entry,
            entry.value,
            [],
            this.kv.atomic().delete(overdue.key),
          );
          return ok ? ("skipped" as const) : LOST_RACE;
        }
        const result = await this.withdrawNow(
          entry,
          overdue.application,
          "RELEASED",
          releaseUnconfirmed,
          now,
        );
        if (result === LOST_RACE) return LOST_RACE;
        if (result.kind === "withdrawn") return "released" as const;
        // Not releasable (confirmed meanwhile, trial cancelled): its key goes.
        const ok = await this.commitState(
          entry,
          entry.value,
          [],
          this.kv.atomic().delete(overdue.key),
        );
        return ok ? ("skipped" as const) : LOST_RACE;
      });
      if (step === "done") return released;
      if (step === "released") released++;
    }
  }

  /** Point the cron's hint at the earliest deadline left (or remove it) and time that one. */
  private async settleDeadlineHint(entry: StateEntry): Promise<boolean> {
    const next = await earliestDeadline(this.kv, this.trialId);
    const op = this.kv.atomic().check(entry);
    if (next === null) op.delete(gateKeys.confirmDue(this.trialId));
    else op.set(gateKeys.confirmDue(this.trialId), new Deno.KvU64(BigInt(next)));
    const result = await op.commit();
    if (result.ok && next !== null) this.options.onDeadline?.(this.trialId, next);
    return result.ok;
  }

  async ledger(afterSeq: number, limit: number): Promise<Application[]> {
    await this.settleDraw();
    return ledgerPage(this.kv, this.trialId, afterSeq, clampLedgerLimit(limit));
  }

  /** The public fill log: a range list, empty (and nothing written) for an unknown trial. */
  async log(afterN: number, limit: number): Promise<LogEntry[]> {
    await this.settleDraw();
    return logPage(this.kv, this.trialId, afterN, clampLedgerLimit(limit));
  }

  async snapshot(): Promise<GateSnapshot | null> {
    const entry = await this.loadState();
    if (!entry.value) return null;
    if (!drawDue(entry.value, Date.now())) return snapshotOf(entry.value, Date.now());
    // The first read at or after the window's end makes the draw (no alarm on KV).
    await this.decide(async () => undefined);
    const drawn = await this.loadState();
    return drawn.value ? snapshotOf(drawn.value, Date.now()) : null;
  }

  async cancel(): Promise<CancelResult> {
    const result = await this.decide(async () => {
      const entry = await this.loadState();
      const state = entry.value;
      if (!state) return { kind: "refused" as const, code: "TRIAL_NOT_FOUND" as const };
      const now = Date.now();
      const decision = decideCancellation(state, now);
      if (decision.kind === "refused") return decision;
      if (decision.kind === "already-cancelled") {
        return { kind: "cancelled" as const, snapshot: snapshotOf(state, now), notified: 0 };
      }
      // The state and the fan-out cursor in one commit: a cancellation exists exactly when
      // its holders are (or will be, if this isolate dies now) told.
      const { next, events } = announceStatus(decision.next, now);
      const op = this.kv.atomic().set(gateKeys.cancelFanout(this.trialId), NEW_FANOUT);
      const ok = await this.commitState(entry, next, events, op);
      if (!ok) return LOST_RACE;
      return {
        kind: "cancelled" as const,
        snapshot: snapshotOf(next, now),
        notified: state.won + state.waitlisted + (state.pending ?? 0),
      };
    });
    if (result.kind === "cancelled" && result.notified > 0) {
      try {
        await fanOutCancellation(this.kv, this.trialId, () =>
          this.options.afterCommit?.(this.trialId),
        );
      } catch (err) {
        // Committed already: the minute cron finishes the fan-out from its cursor.
        log.warn("gate.cancel_fanout_deferred", {
          trialId: this.trialId,
          error: describeError(err),
        });
      }
    }
    return result;
  }

  async closedNotice(): Promise<ClosedNotice | null> {
    await this.settleDraw();
    const entry = await this.loadState();
    const code = entry.value ? newcomerRefusal(entry.value, Date.now()) : null;
    if (!code) return null;
    // A closed trial gains no applicants, so the list read after the state is complete.
    const ids: string[] = [];
    for await (const e of this.kv.list({ prefix: gateKeys.userPrefix(this.trialId) })) {
      ids.push(String(e.key[e.key.length - 1]));
    }
    return { code, filter: buildApplicantFilter(ids, ids.length) };
  }

  countRejected(attempts: number): Promise<void> {
    return this.decide(async () => {
      const entry = await this.loadState();
      if (!entry.value) return;
      const next = countRejected(entry.value, attempts, Date.now());
      if (next === entry.value) return;
      return (await this.commitState(entry, next, [])) ? undefined : LOST_RACE;
    });
  }

  discard(): Promise<void> {
    return this.decide(async () => {
      const entry = await this.loadState();
      // Only an unused configuration is forgotten: an applied-to trial is history.
      if (!entry.value || entry.value.nextSeq > 1) return;
      const result = await this.kv
        .atomic()
        .check(entry)
        .delete(gateKeys.state(this.trialId))
        .commit();
      return result.ok ? undefined : LOST_RACE;
    });
  }

  /**
   * Queue behind this isolate's other decisions on the trial, then commit optimistically.
   * An owed draw is made first, a part per attempt, so no decision is ever made against it;
   * a window that ends mid-attempt makes admit throw, and the retry then draws. A trial that
   * can never owe a draw skips that read; should it owe one after all (terms changed by an
   * isolate whose clock is behind), admit throws, the trial is looked at again and the retry
   * draws.
   */
  private decide<T>(attempt: () => Promise<T | typeof LOST_RACE>): Promise<T> {
    return this.serializer.run(this.trialId, () =>
      untilCommitted(async () => {
        if (!this.drawSettled.has(this.trialId)) {
          const drew = await drawPart(this.kv, this.trialId, this.options.afterCommit);
          if (drew === "settled") this.drawSettled.add(this.trialId);
          else if (drew !== "none") return LOST_RACE;
        }
        try {
          return await attempt();
        } catch (err) {
          this.drawSettled.delete(this.trialId);
          throw err;
        }
      }),
    );
  }

  /** An owed draw, made now (reads call this: the first one after the window's end draws). */
  private async settleDraw(): Promise<void> {
    const entry = await this.loadState();
    if (entry.value && drawDue(entry.value, Date.now())) await this.decide(async () => undefined);
  }

  private loadState(): Promise<StateEntry> {
    return readGateState(this.kv, this.trialId);
  }

  private commitState(
    read: StateEntry,
    next: GateState,
    events: GateEvent[],
    op: Deno.AtomicOperation = this.kv.atomic(),
  ): Promise<string | null> {
    return commitGateState(this.trialId, read, next, events, op, this.options.afterCommit);
  }

  /**
   * The cancelled place, the promotion of the head of the waitlist, both events, their log
   * entries (`kind` for the given-up place, then PROMOTED) and the counters in one commit,
   * like apply.
   */
  private async withdrawNow(
    entry: StateEntry,
    application: Application | null,
    kind: "WITHDRAWN" | "RELEASED",
    decide: (
      state: GateState,
      application: Application,
      head: Application | null,
      now: number,
    ) => WithdrawDecision,
    now = Date.now(),
  ): Promise<WithdrawResult | typeof LOST_RACE> {
    const state = entry.value;
    if (!state) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
    if (!application) return { kind: "refused", code: "APPLICATION_NOT_FOUND" };
    const head = application.status === "WON" ? await firstWaiting(this.kv, this.trialId) : null;
    const decision = decide(state, application, head, now);
    if (decision.kind === "unchanged") return { kind: "unchanged", application };
    if (decision.kind === "refused") return { kind: "refused", code: decision.code };

    // The tags as the state's secret gives them: the same as stored, except for applications
    // read before a trial stored before the log had its secret (see kv-fill-log.ts).
    const tagged = (a: Application) => ({
      ...a,
      memberTag: memberTagOf(state.tagSecret, a.userId),
    });
    const changes: LoggedChange[] = [{ kind, application: tagged(decision.cancelled) }];
    if (decision.promoted) {
      changes.push({ kind: "PROMOTED", application: tagged(decision.promoted) });
    }
    const logged = recordInLog(decision.next, changes, now);
    const [cancelled, promoted = null] = logged.applications as [Application, Application?];
    // A FULL trial with a freed place and nobody waiting opens again: announced here.
    const { next, events } = announceStatus(logged.next, now);
    const outbox = [applicationEvent("CANCELLED", cancelled)];
    const op = this.kv
      .atomic()
      .set(gateKeys.application(this.trialId, cancelled.id), stored(cancelled))
      .delete(gateKeys.waiting(this.trialId, waitingKeyOf(application)));
    writeDeadline(op, this.trialId, application, cancelled);
    if (promoted) {
      outbox.push(applicationEvent("PROMOTED", promoted));
      op.set(gateKeys.application(this.trialId, promoted.id), stored(promoted)).delete(
        gateKeys.waiting(this.trialId, waitingKeyOf(promoted)),
      );
      writeDeadline(op, this.trialId, null, promoted);
    }
    writeLogEntries(op, this.trialId, logged.entries);
    const ok = await this.commitState(entry, next, [...outbox, ...events], op);
    if (ok && promoted?.confirmBy) this.options.onDeadline?.(this.trialId, promoted.confirmBy);
    return ok ? { kind: "withdrawn", application: cancelled, promoted } : LOST_RACE;
  }
}

/** WON, WAITLISTED, or PENDING inside a draw window: the status is the news. */
function outcomeOf(application: Application): Outcome {
  return application.status as Outcome;
}
