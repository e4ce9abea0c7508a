import { describeError, log } from "../core/log.ts";
import type { TrialGates } from "../core/ports/trial-gate.ts";

/**
 * A process timer per trial with a confirmation deadline ahead: at the first millisecond past
 * it the trial's gate releases what is overdue (Deno KV has no alarm). The earliest deadline
 * wins; a release hands the next one back (KvGateOptions.onDeadline). Timers die with the
 * process: the minute cron arms them again from KV (deadlinesDue), so after a restart a
 * deadline is at most a minute late, never lost. Several processes may time the same trial:
 * a release is a checked commit, so the second finds nothing overdue.
 */
export class DeadlineTimers {
  private readonly timers = new Map<
    string,
    { at: number; handle: ReturnType<typeof setTimeout> }
  >();
  private gates: TrialGates | null = null;

  /** Late-bound: the gates are built with this object's callback. */
  attach(gates: TrialGates): void {
    this.gates = gates;
  }

  /** Time a deadline (epoch ms): released at releaseAt(at), unless an earlier one is timed. */
  arm(trialId: string, at: number): void {
    const timed = this.timers.get(trialId);
    if (timed && timed.at <= at) return;
    if (timed) clearTimeout(timed.handle);
    // The first millisecond past the deadline (core/first-come/confirmation.ts releaseAt).
    const delay = Math.max(0, at + 1 - Date.now());
    const handle = setTimeout(() => this.fire(trialId), delay);
    // A timer must not keep a finished test process (or a shutting-down server) alive.
    Deno.unrefTimer(handle);
    this.timers.set(trialId, { at, handle });
  }

  /** Stop every timer (shutdown, tests). */
  clear(): void {
    for (const { handle } of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
  }

  private async fire(trialId: string): Promise<void> {
    this.timers.delete(trialId);
    if (!this.gates) return;
    try {
      const released = await this.gates.get(trialId).releaseOverdue();
      if (released > 0) log.info("gate.deadline_released", { trialId, released });
    } catch (err) {
      // The minute cron tries again from the KV hint.
      log.warn("gate.deadline_release_failed", { trialId, error: describeError(err) });
    }
  }
}
