import { DurableObject } from "cloudflare:workers";
import { admit, newGateState, snapshotOf } from "../../core/first-come/decide";
import type {
  Application,
  ApplyResult,
  DecisionEvent,
  GateSnapshot,
  GateState,
  TrialTerms,
} from "../../core/first-come/types";
import type { DecisionQueue } from "../../core/ports/decision-queue";
import type { ConfigureResult, TrialGate as TrialGatePort } from "../../core/ports/trial-gate";
import { cloudflareDecisionQueue } from "../../workers/adapters/cloudflare/decision-queue";
import { log } from "../../workers/lib/log";
import { findApplicationByUser, insertApplication, loadGate, saveGate } from "./ledger";
import { Outbox } from "./outbox";
import { migrateGateSchema } from "./schema";

/** First retry of an unsent outbox; doubles per failure up to the cap. */
const RETRY_BASE_MS = 1_000;
const RETRY_CAP_MS = 60_000;
/** Safety net armed with every decision, in case the object dies before its flush. */
const SAFETY_NET_MS = 10_000;

/**
 * One TrialGate per trial. Every application of the trial passes through here, one at
 * a time: decisions are synchronous SQLite transactions (decision + outbox row), so no
 * two requests can interleave inside a decision, and the reply leaves only after the
 * write is durable (the output gate holds it until then).
 */
export class TrialGate extends DurableObject<Env> implements TrialGatePort {
  private readonly sql: SqlStorage;
  private readonly outbox: Outbox;
  /** A read-through copy of the gate row; SQLite stays the source of truth. */
  private state: GateState | null = null;
  private alarmArmed = false;
  private flushing: Promise<void> | null = null;
  private sendFailures = 0;
  /** Where decisions go. Replaceable so tests can simulate a failing queue. */
  decisionQueue: DecisionQueue;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.outbox = new Outbox(this.sql);
    this.decisionQueue = cloudflareDecisionQueue(env.DECISIONS_QUEUE);
    void ctx.blockConcurrencyWhile(async () => {
      migrateGateSchema(this.sql, ctx.storage);
      this.state = loadGate(this.sql);
      this.alarmArmed = (await ctx.storage.getAlarm()) !== null;
    });
  }

  async configure(terms: TrialTerms): Promise<ConfigureResult> {
    const current = this.state;
    if (current && current.nextSeq > 1) {
      return sameTerms(current, terms)
        ? { ok: true, snapshot: snapshotOf(current, Date.now()) }
        : { ok: false, code: "TRIAL_ALREADY_OPEN" };
    }
    // No application yet: (re)writing the terms is safe and idempotent.
    const next: GateState = current ? { ...current, ...terms } : newGateState(terms);
    saveGate(this.sql, next);
    this.state = next;
    return { ok: true, snapshot: snapshotOf(next, Date.now()) };
  }

  async apply(userId: string, note: string | null): Promise<ApplyResult> {
    const state = this.state;
    if (!state) return { kind: "refused", code: "TRIAL_NOT_FOUND" };

    // One place per member: a repeat gets its first application back, whatever the state.
    const existing = findApplicationByUser(this.sql, state.trialId, userId);
    if (existing) return { kind: "existing", application: existing };

    const now = Date.now();
    const decision = admit(state, { userId, note, now, applicationId: crypto.randomUUID() });
    if (decision.kind === "refused") {
      if (decision.next !== state) {
        saveGate(this.sql, decision.next);
        this.state = decision.next;
      }
      return { kind: "refused", code: decision.code };
    }

    const { application, next } = decision;
    const event: DecisionEvent = {
      v: 1,
      eventId: crypto.randomUUID(),
      outcome: application.status === "WON" ? "WON" : "WAITLISTED",
      application,
    };
    this.ctx.storage.transactionSync(() => {
      saveGate(this.sql, next);
      insertApplication(this.sql, application);
      this.outbox.append(event, now);
    });
    this.state = next;
    this.armSafetyNet(now + SAFETY_NET_MS);
    this.kickFlush();
    return { kind: "created", application };
  }

  async findApplication(userId: string): Promise<Application | null> {
    if (!this.state) return null;
    return findApplicationByUser(this.sql, this.state.trialId, userId);
  }

  async snapshot(): Promise<GateSnapshot | null> {
    return this.state ? snapshotOf(this.state, Date.now()) : null;
  }

  async discard(): Promise<void> {
    if (!this.state || this.state.nextSeq > 1) return;
    await this.ctx.storage.deleteAll();
    this.state = null;
    this.alarmArmed = false;
  }

  /** How many decisions still wait to be handed to the queue (for operators and tests). */
  async pendingOutbox(): Promise<number> {
    return this.outbox.pendingCount();
  }

  /** Drain the outbox now and wait for it (used by the alarm and by tests). */
  async flushOutbox(): Promise<void> {
    this.kickFlush();
    await this.flushing;
  }

  override async alarm(): Promise<void> {
    this.alarmArmed = false;
    await this.flushOutbox();
    const pending = this.outbox.pendingCount();
    if (pending > 0) {
      const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(this.sendFailures, 16));
      this.armSafetyNet(Date.now() + delay, true);
    }
  }

  /** Start a drain unless one is running; the running one picks up new rows itself. */
  private kickFlush(): void {
    if (this.flushing) return;
    this.flushing = this.outbox
      .drainTo(this.decisionQueue)
      .then(() => {
        this.sendFailures = 0;
      })
      .catch((err: unknown) => {
        this.sendFailures++;
        log.warn("outbox.send_failed", {
          trialId: this.state?.trialId,
          failures: this.sendFailures,
          error: String(err),
        });
        const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(this.sendFailures, 16));
        this.armSafetyNet(Date.now() + delay, true);
      })
      .finally(() => {
        this.flushing = null;
      });
    this.ctx.waitUntil(this.flushing);
  }

  private armSafetyNet(at: number, force = false): void {
    if (this.alarmArmed && !force) return;
    this.alarmArmed = true;
    void this.ctx.storage.setAlarm(at);
  }
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
