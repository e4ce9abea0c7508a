import { describeError, log } from "../core/log.ts";

/**
 * Deno has no ExecutionContext.waitUntil: work that outlives a response (closing a
 * connection, draining the outbox, a cache write) is tracked here, its failures logged, and
 * a shutdown or a one-shot job can wait for all of it.
 */
export class Background {
  private readonly pending = new Set<Promise<unknown>>();

  run(work: Promise<unknown>, label = "background"): void {
    const tracked = work.catch((err) => log.warn(`${label}.failed`, { error: describeError(err) }));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Resolves when everything started so far (and anything it started) has settled. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
