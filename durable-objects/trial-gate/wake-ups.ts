import { log } from "../../core/log";
import type { DecisionQueue } from "../../core/ports/decision-queue";
import type { Outbox } from "./outbox";

/** First retry of an unsent outbox; doubles per failure up to the cap. */
const RETRY_BASE_MS = 1_000;
const RETRY_CAP_MS = 60_000;
/** Safety net armed with every decision, in case the object dies before its flush. */
const SAFETY_NET_MS = 10_000;

/** What the wake-ups read of their gate, at the moment they need it. */
export interface WakeUpsGate {
  /** Where events go; the gate's own field, which tests replace to simulate a failing queue. */
  decisionQueue(): DecisionQueue;
  /** False while the gate has no tables (never configured): nothing to drain then. */
  hasSchema(): boolean;
  trialId(): string | undefined;
}

/**
 * A gate's one alarm and its outbox drain. The alarm serves two purposes: it retries an
 * outbox that could not be sent, and it wakes the object at opensAt and closesAt so those
 * transitions are announced. The earliest wake-up wins; a drain runs at most once at a time.
 */
export class WakeUps {
  /** When the stored alarm fires (null: none set). */
  private alarmAt: number | null = null;
  private flushing: Promise<void> | null = null;
  private sendFailures = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly outbox: Outbox,
    private readonly gate: WakeUpsGate,
  ) {}

  /** The alarm storage holds (at start-up), or null once it fired or storage was wiped. */
  knownAlarm(at: number | null): void {
    this.alarmAt = at;
  }

  /** After a decision wrote to the outbox: drain it now, with a safety net armed. */
  afterOutboxWrite(now: number): void {
    this.armAt(now + SAFETY_NET_MS);
    this.kickFlush();
  }

  /** Keep the earliest wake-up: one alarm serves retries and transitions alike. */
  armAt(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    this.ctx.storage.setAlarm(at).catch((err: unknown) => {
      log.error("gate.set_alarm_failed", { trialId: this.gate.trialId(), error: String(err) });
    });
  }

  /** When to try an unsent outbox again, after the failures so far. */
  retryAt(now: number): number {
    return now + Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(this.sendFailures, 16));
  }

  /** Drain the outbox now and wait for it. */
  async flush(): Promise<void> {
    this.kickFlush();
    await this.flushing;
  }

  /** Start a drain unless one is running; the running one picks up new rows itself. */
  private kickFlush(): void {
    if (this.flushing || !this.gate.hasSchema()) return;
    this.flushing = this.outbox
      .drainTo(this.gate.decisionQueue())
      .then(() => {
        this.sendFailures = 0;
      })
      .catch((err: unknown) => {
        this.sendFailures++;
        log.warn("outbox.send_failed", {
          trialId: this.gate.trialId(),
          failures: this.sendFailures,
          error: String(err),
        });
        this.armAt(this.retryAt(Date.now()));
      })
      .finally(() => {
        this.flushing = null;
      });
    this.ctx.waitUntil(this.flushing);
  }
}
