import { buildApplicantFilter } from "../core/first-come/applicant-filter.ts";
import {
  admit,
  cancelTrial,
  configureTerms,
  countRejected,
  newcomerRefusal,
  snapshotOf,
  withdraw,
} from "../core/first-come/decide.ts";
import { announceStatus, applicationEvent } from "../core/first-come/events.ts";
import type {
  Application,
  ApplyResult,
  GateEvent,
  GateSnapshot,
  GateState,
  TrialTerms,
  WithdrawResult,
} from "../core/first-come/types.ts";
import {
  type CancelResult,
  type ClosedNotice,
  type ConfigureResult,
  clampLedgerLimit,
  type TrialGate,
  type TrialGates,
} from "../core/ports/trial-gate.ts";
import { logPlaceReleased } from "../workers/lib/gate-log.ts";
import { describeError, log } from "../workers/lib/log.ts";
import { fanOutCancellation, NEW_FANOUT } from "./cancel-fanout.ts";
import { gateKeys } from "./keys.ts";
import {
  findApplicationById,
  findApplicationByUser,
  firstWaiting,
  ledgerPage,
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
}

/** The gates of one isolate share one serializer, so two handles to a trial still queue. */
export function kvTrialGates(kv: Deno.Kv, options: KvGateOptions = {}): TrialGates {
  const serializer = new KeyedSerializer();
  return { get: (trialId) => new KvTrialGate(kv, trialId, serializer, options) };
}

type StateEntry = Deno.KvEntryMaybe<GateState>;

/**
 * The trial gate on Deno KV, deciding with the same pure functions as the Durable Object.
 * Every decision is one atomic commit that checks the state entry's versionstamp and writes
 * the state, the application, its indexes and the outbox events together: two isolates can
 * never take the same seq, and an event exists exactly when its decision does.
 */
export class KvTrialGate implements TrialGate {
  constructor(
    private readonly kv: Deno.Kv,
    private readonly trialId: string,
    private readonly serializer: KeyedSerializer,
    private readonly options: KvGateOptions = {},
  ) {}

  configure(terms: TrialTerms): Promise<ConfigureResult> {
    return this.decide(async () => {
      const entry = await this.loadState();
      const now = Date.now();
      const decision = configureTerms(entry.value, terms, now);
      if (decision.kind === "refused") return { ok: false, code: decision.code };
      if (decision.kind === "unchanged")
        return { ok: true, snapshot: snapshotOf(decision.state, now) };
      const next = decision.next;
      const ok = await this.commitState(entry, next, []);
      return ok ? { ok: true, snapshot: snapshotOf(next, now) } : LOST_RACE;
    });
  }

  apply(userId: string, note: string | null): Promise<ApplyResult> {
    return this.decide(async () => {
      const userKey = gateKeys.user(this.trialId, userId);
      const [entry, userRef] = await this.kv.getMany<[GateState, string]>([
        gateKeys.state(this.trialId),
        userKey,
      ]);
      const state = entry.value;
      if (!state) return { kind: "refused", code: "TRIAL_NOT_FOUND" };

      // One place per member: a repeat gets its first application back, whatever the state.
      if (userRef.value !== null) {
        const existing = await findApplicationById(this.kv, this.trialId, userRef.value);
        if (existing) return { kind: "existing", application: existing };
      }

      const now = Date.now();
      const decision = admit(state, { userId, note, now, applicationId: crypto.randomUUID() });
      if (decision.kind === "refused") {
        if (decision.next === state) return { kind: "refused", code: decision.code };
        const ok = await this.commitState(entry, decision.next, []);
        return ok ? { kind: "refused", code: decision.code } : LOST_RACE;
      }

      const { application } = decision;
      const { next, events } = announceStatus(decision.next, now);
      events.unshift(
        applicationEvent(application.status === "WON" ? "WON" : "WAITLISTED", application),
      );
      const op = this.kv
        .atomic()
        .check(userRef)
        .set(gateKeys.application(this.trialId, application.id), stored(application))
        .set(userKey, application.id)
        .set(gateKeys.seq(this.trialId, application.seq), application.id);
      if (application.status === "WAITLISTED") {
        op.set(gateKeys.waiting(this.trialId, application.seq), application.id);
      }
      const ok = await this.commitState(entry, next, events, op);
      return ok ? { kind: "created", application } : LOST_RACE;
    });
  }

  findApplication(userId: string): Promise<Application | null> {
    return findApplicationByUser(this.kv, this.trialId, userId);
  }

  withdraw(userId: string): Promise<WithdrawResult> {
    return this.decide(async () => {
      const entry = await this.loadState();
      if (!entry.value) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
      const application = await findApplicationByUser(this.kv, this.trialId, userId);
      return this.withdrawNow(entry, application);
    });
  }

  release(applicationId: string, reason: string): Promise<WithdrawResult> {
    return this.decide(async () => {
      const entry = await this.loadState();
      if (!entry.value) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
      const application = await findApplicationById(this.kv, this.trialId, applicationId);
      const result = await this.withdrawNow(entry, application);
      if (result !== LOST_RACE) logPlaceReleased(this.trialId, applicationId, reason, result);
      return result;
    });
  }

  async ledger(afterSeq: number, limit: number): Promise<Application[]> {
    return ledgerPage(this.kv, this.trialId, afterSeq, clampLedgerLimit(limit));
  }

  async snapshot(): Promise<GateSnapshot | null> {
    const entry = await this.loadState();
    return entry.value ? snapshotOf(entry.value, Date.now()) : null;
  }

  async cancel(): Promise<CancelResult> {
    const result = await this.decide(async () => {
      const entry = await this.loadState();
      const state = entry.value;
      if (!state) return { ok: false as const, code: "TRIAL_NOT_FOUND" as const };
      const now = Date.now();
      const decision = cancelTrial(state, now);
      if (decision.kind === "refused") return { ok: false as const, code: decision.code };
      if (decision.kind === "already-cancelled") {
        return { ok: true as const, snapshot: snapshotOf(state, now), notified: 0 };
      }
      // The state and the fan-out cursor in one commit: a cancellation exists exactly when
      // its holders are (or will be, if this isolate dies now) told.
      const { next, events } = announceStatus(decision.next, now);
      const op = this.kv.atomic().set(gateKeys.cancelFanout(this.trialId), NEW_FANOUT);
      const ok = await this.commitState(entry, next, events, op);
      if (!ok) return LOST_RACE;
      return {
        ok: true as const,
        snapshot: snapshotOf(next, now),
        notified: state.won + state.waitlisted,
      };
    });
    if (result.ok && result.notified > 0) {
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

  /** Queue behind this isolate's other decisions on the trial, then commit optimistically. */
  private decide<T>(attempt: () => Promise<T | typeof LOST_RACE>): Promise<T> {
    return this.serializer.run(this.trialId, () => untilCommitted(attempt));
  }

  private loadState(): Promise<StateEntry> {
    return this.kv.get<GateState>(gateKeys.state(this.trialId));
  }

  /**
   * The cancelled place, the promotion of the head of the waitlist, both events and the
   * counters in one commit, like apply.
   */
  private async withdrawNow(
    entry: StateEntry,
    application: Application | null,
  ): Promise<WithdrawResult | typeof LOST_RACE> {
    const state = entry.value;
    if (!state) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
    if (!application) return { kind: "refused", code: "APPLICATION_NOT_FOUND" };
    const now = Date.now();
    const head = application.status === "WON" ? await firstWaiting(this.kv, this.trialId) : null;
    const decision = withdraw(state, application, head, now);
    if (decision.kind === "unchanged") return { kind: "unchanged", application };
    if (decision.kind === "refused") return { kind: "refused", code: decision.code };

    const { cancelled, promoted } = decision;
    // A FULL trial with a freed place and nobody waiting opens again: announced here.
    const { next, events } = announceStatus(decision.next, now);
    const changes = [applicationEvent("CANCELLED", cancelled)];
    const op = this.kv
      .atomic()
      .set(gateKeys.application(this.trialId, cancelled.id), stored(cancelled))
      .delete(gateKeys.waiting(this.trialId, cancelled.seq));
    if (promoted) {
      changes.push(applicationEvent("PROMOTED", promoted));
      op.set(gateKeys.application(this.trialId, promoted.id), stored(promoted)).delete(
        gateKeys.waiting(this.trialId, promoted.seq),
      );
    }
    const ok = await this.commitState(entry, next, [...changes, ...events], op);
    return ok ? { kind: "withdrawn", application: cancelled, promoted } : LOST_RACE;
  }

  /**
   * Commits `next` only if the state is still the one read (null versionstamp: still absent),
   * together with the decision's other writes and its outbox events. False: another isolate
   * decided first.
   */
  private async commitState(
    read: StateEntry,
    next: GateState,
    events: GateEvent[],
    op: Deno.AtomicOperation = this.kv.atomic(),
  ): Promise<boolean> {
    op.check(read).set(gateKeys.state(this.trialId), next);
    const at = Date.now();
    const commitId = crypto.randomUUID();
    events.forEach((event, index) => {
      op.set(gateKeys.outbox(this.trialId, at, commitId, index), event);
    });
    const result = await op.commit();
    if (result.ok && events.length > 0) this.options.afterCommit?.(this.trialId);
    return result.ok;
  }
}

/** Positions are derived when read, never stored as truth. */
function stored(application: Application): Application {
  return { ...application, position: null };
}
