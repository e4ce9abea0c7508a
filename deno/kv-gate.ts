import {
  admit,
  canChangeTerms,
  cancelTrial,
  newGateState,
  snapshotOf,
  statusAnnouncement,
  withdraw,
} from "../core/first-come/decide.ts";
import type {
  Application,
  ApplyResult,
  GateEvent,
  GateSnapshot,
  GateState,
  Outcome,
  TrialTerms,
  WithdrawResult,
} from "../core/first-come/types.ts";
import type {
  CancelResult,
  ConfigureResult,
  TrialGate,
  TrialGates,
} from "../core/ports/trial-gate.ts";
import { log } from "../workers/lib/log.ts";
import { gateKeys } from "./keys.ts";
import {
  findApplicationById,
  findApplicationByUser,
  firstWaiting,
  ledgerPage,
  listHolders,
} from "./kv-ledger.ts";
import { LOST_RACE, untilCommitted } from "./retry.ts";
import { KeyedSerializer } from "./serializer.ts";

/** The gates of one isolate share one serializer, so two handles to a trial still queue. */
export function kvTrialGates(kv: Deno.Kv): TrialGates {
  const serializer = new KeyedSerializer();
  return { get: (trialId) => new KvTrialGate(kv, trialId, serializer) };
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
  ) {}

  configure(terms: TrialTerms): Promise<ConfigureResult> {
    return this.decide(async () => {
      const entry = await this.loadState();
      const current = entry.value;
      const now = Date.now();
      if (current) {
        if (sameTerms(current, terms)) return { ok: true, snapshot: snapshotOf(current, now) };
        if (!canChangeTerms(current, now)) return { ok: false, code: "TRIAL_ALREADY_OPEN" };
      }
      // New, or still SCHEDULED (so nobody has applied): writing the terms is safe.
      let next: GateState = current ? { ...current, ...terms } : newGateState(terms);
      // The creator writes the initial status to Postgres itself: record it as announced.
      const initial = statusAnnouncement(next, now);
      if (initial) next = initial.next;
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
      const { next, events } = this.announce(decision.next, now);
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
      if (result !== LOST_RACE) {
        log.warn("gate.place_released", {
          trialId: this.trialId,
          applicationId,
          reason,
          outcome: result.kind,
          promoted: result.kind === "withdrawn" ? (result.promoted?.id ?? null) : null,
        });
      }
      return result;
    });
  }

  async ledger(afterSeq: number, limit: number): Promise<Application[]> {
    return ledgerPage(this.kv, this.trialId, afterSeq, Math.min(Math.max(limit, 1), 1000));
  }

  async snapshot(): Promise<GateSnapshot | null> {
    const entry = await this.loadState();
    return entry.value ? snapshotOf(entry.value, Date.now()) : null;
  }

  cancel(): Promise<CancelResult> {
    return this.decide(async () => {
      const entry = await this.loadState();
      const state = entry.value;
      if (!state) return { ok: false, code: "TRIAL_NOT_FOUND" };
      const now = Date.now();
      const decision = cancelTrial(state, now);
      if (decision.kind === "refused") return { ok: false, code: decision.code };
      if (decision.kind === "already-cancelled") {
        return { ok: true, snapshot: snapshotOf(state, now), notified: 0 };
      }
      // Read after the state: the versionstamp check proves the holders did not change since.
      const holders = await listHolders(this.kv, this.trialId);
      const { next, events } = this.announce(decision.next, now);
      events.unshift(...holders.map((a) => applicationEvent("TRIAL_CANCELLED", a)));
      const ok = await this.commitState(entry, next, events);
      return ok
        ? { ok: true, snapshot: snapshotOf(next, now), notified: holders.length }
        : LOST_RACE;
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
    const { next, events } = this.announce(decision.next, now);
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

  /** The state with its status announcement, if the status by the clock changed. */
  private announce(state: GateState, now: number): { next: GateState; events: GateEvent[] } {
    const change = statusAnnouncement(state, now);
    if (!change) return { next: state, events: [] };
    const event: GateEvent = {
      v: 1,
      type: "trial-status",
      eventId: crypto.randomUUID(),
      trialId: state.trialId,
      status: change.status,
      closedReason: change.closedReason,
      version: change.version,
      at: now,
    };
    return { next: change.next, events: [event] };
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
    return result.ok;
  }
}

function applicationEvent(outcome: Outcome, application: Application): GateEvent {
  return { v: 1, type: "application", eventId: crypto.randomUUID(), outcome, application };
}

/** Positions are derived when read, never stored as truth. */
function stored(application: Application): Application {
  return { ...application, position: null };
}

function sameTerms(a: TrialTerms, b: TrialTerms): boolean {
  return (
    a.trialId === b.trialId &&
    a.slots === b.slots &&
    a.waitlistSize === b.waitlistSize &&
    a.opensAt === b.opensAt &&
    a.closesAt === b.closesAt
  );
}
