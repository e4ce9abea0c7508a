import { DurableObject } from "cloudflare:workers";
import type { LogEntry } from "../../core/fill-log/chain";
import { type LoggedChange, recordInLog } from "../../core/fill-log/record";
import { withLoggedApplications } from "../../core/fill-log/stored";
import { buildApplicantFilter } from "../../core/first-come/applicant-filter";
import { decideConfirmation, releaseAt } from "../../core/first-come/confirmation";
import {
  countRejected,
  newcomerRefusal,
  nextTransitionAt,
  snapshotOf,
} from "../../core/first-come/decide";
import { decideBatch } from "../../core/first-come/decide-batch";
import { configureTerms, decideCancellation } from "../../core/first-come/decide-terms";
import {
  releaseUnconfirmed,
  type WithdrawDecision,
  withdraw,
} from "../../core/first-come/decide-withdrawal";
import { draw, drawDue } from "../../core/first-come/draw";
import { announceStatus, applicationEvent, confirmationEvent } from "../../core/first-come/events";
import { logPlaceReleased } from "../../core/first-come/gate-log";
import type {
  Application,
  ApplyResult,
  ConfirmResult,
  GateSnapshot,
  GateState,
  Outcome,
  SealedValue,
  TrialTerms,
  WithdrawResult,
} from "../../core/first-come/types";
import {
  ADMISSION_HEADER,
  decodeAdmission,
  LIVE_PATH,
} from "../../core/live-room/admission-header";
import type { DecisionQueue } from "../../core/ports/decision-queue";
import {
  type ApplyRequest,
  type CancelResult,
  type ClosedNotice,
  type ConfigureResult,
  clampLedgerLimit,
  type TrialGate as TrialGatePort,
} from "../../core/ports/trial-gate";
import { cloudflareDecisionQueue } from "./decision-queue";
import { appendLogEntries, logPage } from "./fill-log";
import {
  applicantIds,
  earliestDeadline,
  findApplicationById,
  findApplicationByUser,
  firstWaiting,
  insertApplication,
  ledgerPage,
  listHolders,
  listOverdue,
  listPending,
  loadGate,
  saveGate,
  updateApplication,
} from "./ledger";
import { LiveRoom } from "./live-room";
import { Outbox } from "./outbox";
import { hasGateSchema, migrateGateSchema } from "./schema";
import { spendTicket } from "./spent-tickets";
import { WakeUps } from "./wake-ups";

/**
 * One TrialGate per trial. Every application of the trial passes through here, in batches
 * that each isolate gathers while its previous call is in flight (group commit, see
 * applyMany): decisions are synchronous SQLite transactions (decisions + outbox rows), so no
 * two calls can interleave inside a decision, and the reply leaves only after the write is
 * durable (the output gate holds it until then).
 *
 * One alarm serves two purposes (wake-ups.ts): it retries an outbox that could not be sent,
 * and it wakes the object at opensAt and closesAt so those transitions are announced (to
 * Postgres, through the outbox) without anything outside having to tick.
 */
export class TrialGate extends DurableObject<Env> implements TrialGatePort {
  private readonly sql: SqlStorage;
  private readonly outbox: Outbox;
  /** A read-through copy of the gate row; SQLite stays the source of truth. */
  private state: GateState | null = null;
  private readonly wakeUps: WakeUps;
  /** The last notice built, valid while nobody new applied (applicants only ever grow). */
  private notice: { nextSeq: number; code: ClosedNotice["code"]; value: ClosedNotice } | null =
    null;
  /**
   * False until the object is first configured: a read, a refused apply or a withdrawal for
   * a trial nobody configured must not store anything (issue 13, finding 11), so the schema
   * is created by configure, and every path that reads tables without a state checks this.
   */
  private hasSchema = false;
  /** Where events go. Replaceable so tests can simulate a failing queue. */
  decisionQueue: DecisionQueue;
  /** The trial's live room: its watchers' sockets, held through hibernation. */
  private readonly room: LiveRoom;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.outbox = new Outbox(this.sql);
    this.decisionQueue = cloudflareDecisionQueue(env.DECISIONS_QUEUE);
    this.wakeUps = new WakeUps(ctx, this.outbox, {
      decisionQueue: () => this.decisionQueue,
      hasSchema: () => this.hasSchema,
      trialId: () => this.state?.trialId,
    });
    this.room = new LiveRoom(ctx, {
      snapshot: (now) => (this.state ? snapshotOf(this.state, now) : null),
      applicationOf: (userId) =>
        this.state ? findApplicationByUser(this.sql, this.state, userId) : null,
      spendTicket: (ticketId, expiresAt, now) =>
        this.ctx.storage.transactionSync(() => spendTicket(this.sql, ticketId, expiresAt, now)),
    });
    void ctx.blockConcurrencyWhile(async () => {
      this.hasSchema = hasGateSchema(this.sql);
      if (this.hasSchema) {
        migrateGateSchema(this.sql, ctx.storage);
        this.state = loadGate(this.sql);
      }
      this.wakeUps.knownAlarm(await ctx.storage.getAlarm());
    });
  }

  async configure(terms: TrialTerms): Promise<ConfigureResult> {
    const now = Date.now();
    const decision = configureTerms(this.state, terms, now);
    if (decision.kind === "refused") return decision;
    if (decision.kind === "unchanged") {
      return { kind: "configured", snapshot: snapshotOf(decision.state, now) };
    }
    if (!this.hasSchema) {
      migrateGateSchema(this.sql, this.ctx.storage);
      this.hasSchema = true;
    }
    const before = this.state;
    saveGate(this.sql, decision.next);
    this.state = decision.next;
    this.armForTransitions(now);
    this.tellRoom(before, now);
    return { kind: "configured", snapshot: snapshotOf(decision.next, now) };
  }

  /**
   * Group commit: the whole batch is decided in order and stored in ONE transactionSync
   * (applications, their outbox rows, the state and a FULL announcement made once), and the
   * reply leaves only after that write is durable (the output gate holds it until then).
   * Nothing is answered that was not stored: if the transaction fails, every caller of the
   * batch gets the error and a retry finds whatever was stored as its own application.
   */
  async applyMany(requests: readonly ApplyRequest[]): Promise<ApplyResult[]> {
    // One clock for the draw and the decision: a window ending in between must not be missed.
    const now = Date.now();
    this.drawIfDue(now);
    const state = this.state;
    if (!state) return requests.map(() => ({ kind: "refused", code: "TRIAL_NOT_FOUND" }));

    // One place per member: a repeat gets its first application back, whatever the state.
    const existing = new Map<string, Application>();
    for (const { userId } of requests) {
      if (existing.has(userId)) continue;
      const found = findApplicationByUser(this.sql, state, userId);
      if (found) existing.set(userId, found);
    }

    const decision = decideBatch(
      state,
      requests.map((r) => ({ ...r, applicationId: crypto.randomUUID() })),
      existing,
      now,
    );
    if (decision.admitted.length === 0) {
      // Refusals only: the counted demand, if any, is the one thing to store.
      if (decision.next !== state) {
        this.ctx.storage.transactionSync(() => this.commitState(decision.next, now));
        this.tellRoom(state, now);
      }
      return decision.results;
    }

    // Each admission is an APPLIED entry of the public log, stored with it or not at all.
    const logged = recordInLog(
      decision.next,
      decision.admitted.map((application) => ({ kind: "APPLIED", application })),
      now,
    );
    this.ctx.storage.transactionSync(() => {
      for (const application of logged.applications) {
        insertApplication(this.sql, application);
        // WON, WAITLISTED, or PENDING inside a draw window: the status is the news.
        this.outbox.append(applicationEvent(application.status as Outcome, application), now);
      }
      appendLogEntries(this.sql, logged.entries);
      // Taking the last place closes the trial (FULL): announced once, in the same transaction.
      this.commitState(this.announce(logged.next, now), now);
    });
    this.wakeUps.afterOutboxWrite(now);
    // New winners under a confirmation window: wake when the first deadline passes.
    const deadline = logged.applications.find((a) => a.confirmBy)?.confirmBy;
    if (deadline) this.wakeUps.armAt(releaseAt(deadline));
    this.tellRoom(
      state,
      now,
      decision.admitted.map((a) => a.userId),
    );
    return withLoggedApplications(decision.results, logged.applications);
  }

  async cancel(): Promise<CancelResult> {
    this.drawIfDue(Date.now());
    const state = this.state;
    if (!state) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
    const now = Date.now();
    const decision = decideCancellation(state, now);
    if (decision.kind === "refused") return decision;
    if (decision.kind === "already-cancelled") {
      return { kind: "cancelled", snapshot: snapshotOf(state, now), notified: 0 };
    }
    const holders = listHolders(this.sql, state);
    this.ctx.storage.transactionSync(() => {
      for (const application of holders) {
        this.outbox.append(applicationEvent("TRIAL_CANCELLED", application), now);
      }
      this.commitState(this.announce(decision.next, now), now);
    });
    this.wakeUps.afterOutboxWrite(now);
    this.tellRoom(state, now);
    return {
      kind: "cancelled",
      snapshot: snapshotOf(decision.next, now),
      notified: holders.length,
    };
  }

  async findApplication(userId: string): Promise<Application | null> {
    this.drawIfDue(Date.now());
    if (!this.state) return null;
    return findApplicationByUser(this.sql, this.state, userId);
  }

  async withdraw(userId: string): Promise<WithdrawResult> {
    this.drawIfDue(Date.now());
    if (!this.state) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
    return this.withdrawNow(
      findApplicationByUser(this.sql, this.state, userId),
      "WITHDRAWN",
      Date.now(),
      (state, application, head, now) => withdraw(state, application, head, now, "WITHDRAWN"),
    );
  }

  async release(applicationId: string, reason: string): Promise<WithdrawResult> {
    this.drawIfDue(Date.now());
    if (!this.state) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
    const result = this.withdrawNow(
      findApplicationById(this.sql, this.state, applicationId),
      "RELEASED",
      Date.now(),
      (state, application, head, now) => withdraw(state, application, head, now, "RELEASED"),
    );
    logPlaceReleased(this.state.trialId, applicationId, reason, result);
    return result;
  }

  async confirm(userId: string, address: SealedValue): Promise<ConfirmResult> {
    const now = Date.now();
    this.drawIfDue(now);
    const state = this.state;
    if (!state) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
    const decision = decideConfirmation(state, findApplicationByUser(this.sql, state, userId), now);
    if (decision.kind === "refused") return decision;
    // The confirmation and the event carrying its sealed address: both or neither.
    this.ctx.storage.transactionSync(() => {
      updateApplication(this.sql, decision.application);
      this.outbox.append(confirmationEvent(decision.application, address), now);
    });
    this.wakeUps.afterOutboxWrite(now);
    this.tellRoom(state, now, [userId]);
    return decision;
  }

  async releaseOverdue(): Promise<number> {
    const now = Date.now();
    this.drawIfDue(now);
    return this.releaseOverdueNow(now);
  }

  /**
   * Every WON place past its deadline, released one by one in deadline order (each promotes
   * the head of the waitlist as it stands after the previous one), each its own transaction.
   */
  private releaseOverdueNow(now: number): number {
    if (!this.state) return 0;
    let released = 0;
    for (const application of listOverdue(this.sql, this.state, now)) {
      const result = this.withdrawNow(application, "RELEASED", now, releaseUnconfirmed);
      if (result.kind === "withdrawn") released++;
    }
    return released;
  }

  async ledger(afterSeq: number, limit: number): Promise<Application[]> {
    this.drawIfDue(Date.now());
    if (!this.state) return [];
    return ledgerPage(this.sql, this.state, afterSeq, clampLedgerLimit(limit));
  }

  /** The public fill log; an unconfigured object answers [] and stores nothing. */
  async log(afterN: number, limit: number): Promise<LogEntry[]> {
    this.drawIfDue(Date.now());
    if (!this.state || !this.hasSchema) return [];
    return logPage(this.sql, afterN, clampLedgerLimit(limit));
  }

  /**
   * One synchronous transaction, like apply: the cancelled place, the promotion of the head
   * of the waitlist, both events, their log entries (`kind` for the given-up place, then
   * PROMOTED) and the counters are written together or not at all.
   */
  private withdrawNow(
    application: Application | null,
    kind: "WITHDRAWN" | "RELEASED",
    now: number,
    decide: (
      state: GateState,
      application: Application,
      head: Application | null,
      now: number,
    ) => WithdrawDecision,
  ): WithdrawResult {
    const state = this.state;
    if (!state) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
    if (!application) return { kind: "refused", code: "APPLICATION_NOT_FOUND" };
    const head = application.status === "WON" ? firstWaiting(this.sql, state) : null;
    const decision = decide(state, application, head, now);
    if (decision.kind === "unchanged") return { kind: "unchanged", application };
    if (decision.kind === "refused") return { kind: "refused", code: decision.code };

    const changes: LoggedChange[] = [{ kind, application: decision.cancelled }];
    if (decision.promoted) changes.push({ kind: "PROMOTED", application: decision.promoted });
    const logged = recordInLog(decision.next, changes, now);
    const [cancelled, promoted = null] = logged.applications as [Application, Application?];
    this.ctx.storage.transactionSync(() => {
      updateApplication(this.sql, cancelled);
      this.outbox.append(applicationEvent("CANCELLED", cancelled), now);
      if (promoted) {
        updateApplication(this.sql, promoted);
        this.outbox.append(applicationEvent("PROMOTED", promoted), now);
      }
      appendLogEntries(this.sql, logged.entries);
      // A FULL trial with a freed place and nobody waiting opens again: announced here.
      this.commitState(this.announce(logged.next, now), now);
    });
    this.wakeUps.afterOutboxWrite(now);
    this.armForTransitions(now);
    // A place given up by someone waiting, or a promotion, moves everyone behind them.
    const moved = application.status === "WAITLISTED" || promoted !== null;
    this.tellRoom(
      state,
      now,
      promoted ? [cancelled.userId, promoted.userId] : [cancelled.userId],
      moved,
    );
    return { kind: "withdrawn", application: cancelled, promoted };
  }

  async closedNotice(): Promise<ClosedNotice | null> {
    this.drawIfDue(Date.now());
    const state = this.state;
    if (!state) return null;
    const code = newcomerRefusal(state, Date.now());
    if (!code) return null;
    if (this.notice?.nextSeq !== state.nextSeq || this.notice.code !== code) {
      const ids = applicantIds(this.sql);
      const value = { code, filter: buildApplicantFilter(ids, ids.length) };
      this.notice = { nextSeq: state.nextSeq, code, value };
    }
    return this.notice.value;
  }

  async countRejected(attempts: number): Promise<void> {
    const state = this.state;
    if (!state) return;
    const next = countRejected(state, attempts, Date.now());
    if (next !== state) this.ctx.storage.transactionSync(() => this.commitState(next, Date.now()));
  }

  async snapshot(): Promise<GateSnapshot | null> {
    this.drawIfDue(Date.now());
    return this.state ? snapshotOf(this.state, Date.now()) : null;
  }

  async discard(): Promise<void> {
    if (!this.state || this.state.nextSeq > 1) return;
    await this.ctx.storage.deleteAll();
    this.state = null;
    this.wakeUps.knownAlarm(null);
    this.hasSchema = false;
  }

  /** How many events still wait to be handed to the queue (for operators and tests). */
  async pendingOutbox(): Promise<number> {
    return this.hasSchema ? this.outbox.pendingCount() : 0;
  }

  /** Drain the outbox now and wait for it (used by the alarm and by tests). */
  async flushOutbox(): Promise<void> {
    await this.wakeUps.flush();
  }

  override async alarm(): Promise<void> {
    this.wakeUps.knownAlarm(null);
    const now = Date.now();
    // The draw at the window's end is this alarm's (armForTransitions): made before anything.
    this.drawIfDue(now);
    // Winners who let their confirmation deadline pass lose the place to the waitlist.
    this.releaseOverdueNow(now);
    // Opening or closing by the clock: announce it (no-op when nothing changed).
    if (this.state) {
      const before = this.state;
      const next = this.announce(before, now);
      if (next !== before) {
        this.ctx.storage.transactionSync(() => this.commitState(next, now));
        this.tellRoom(before, now);
      }
    }
    await this.flushOutbox();
    if ((await this.pendingOutbox()) > 0) this.wakeUps.armAt(this.wakeUps.retryAt(now));
    this.armForTransitions(Date.now());
  }

  /**
   * The draw, once its time came (core/first-come/draw.ts): every PENDING entrant decided,
   * their events and DRAWN entries (rank order) and the state in one transaction. The alarm
   * makes it on time; every verb calls this first too, so nothing is ever decided or read
   * against an owed draw (an alarm late by a moment changes nothing). Idempotent: drawnAt.
   */
  private drawIfDue(now: number): void {
    const before = this.state;
    if (!before || !drawDue(before, now)) return;
    const decision = draw(before, listPending(this.sql, before), now);
    const logged = recordInLog(
      decision.next,
      decision.drawn.map((application) => ({ kind: "DRAWN", application })),
      now,
    );
    this.ctx.storage.transactionSync(() => {
      for (const application of logged.applications) {
        updateApplication(this.sql, application);
        this.outbox.append(applicationEvent(application.status as Outcome, application), now);
      }
      appendLogEntries(this.sql, logged.entries);
      this.commitState(this.announce(logged.next, now), now);
    });
    this.wakeUps.afterOutboxWrite(now);
    this.armForTransitions(now);
    this.tellRoom(
      before,
      now,
      decision.drawn.map((a) => a.userId),
      true,
    );
  }

  /** The live room's upgrade (GET /v1/trials/:id/live, forwarded by the app's adapter). */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const admission = request.headers.get(ADMISSION_HEADER);
    if (url.pathname !== LIVE_PATH || !admission) return new Response(null, { status: 404 });
    const result = this.room.open(decodeAdmission(admission), Date.now());
    if (result.kind === "opened") return result.response;
    return Response.json(result, { status: 409 });
  }

  override async webSocketMessage(ws: WebSocket): Promise<void> {
    this.room.message(ws, Date.now());
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the closing handshake; 1005/1006 cannot be sent back, so answer those 1000.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    } catch {
      // Already closed.
    }
  }

  /**
   * After a commit: the live room hears of it. `before` is the state the commit started
   * from; `touched` are the members whose application changed.
   */
  private tellRoom(
    before: GateState | null,
    now: number,
    touched: readonly string[] = [],
    waitlistMoved = false,
  ): void {
    // The common flood has nobody watching: build no snapshots for an empty room.
    if (!this.state || !this.room.watched) return;
    this.room.changed(
      before ? snapshotOf(before, now) : null,
      snapshotOf(this.state, now),
      touched,
      waitlistMoved,
      now,
    );
  }

  /** Call inside a transaction: the state with its status announcement, if it changed. */
  private announce(state: GateState, now: number): GateState {
    const { next, events } = announceStatus(state, now);
    for (const event of events) this.outbox.append(event, now);
    return next;
  }

  /** Call inside a transaction; the in-memory copy follows only what was written. */
  private commitState(next: GateState, _now: number): void {
    saveGate(this.sql, next);
    this.state = next;
  }

  /** The next clock transition or confirmation deadline, whichever comes first. */
  private armForTransitions(now: number): void {
    if (!this.state) return;
    const transition = nextTransitionAt(this.state, now);
    const deadline = this.state.cancelledAt === null ? earliestDeadline(this.sql) : null;
    const times = [transition, deadline === null ? null : releaseAt(deadline)].filter(
      (t): t is number => t !== null,
    );
    if (times.length > 0) this.wakeUps.armAt(Math.max(now, Math.min(...times)));
  }
}
