/** At most one `counts` message per socket in this many milliseconds while counts change. */
export const COUNTS_INTERVAL_MS = 250;

/** The timer functions a pacer uses; tests hand in fake ones. */
export interface PacerClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
}

const realClock: PacerClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
};

/**
 * Coalesces a room's `counts`: the first change after a quiet interval is sent at once; the
 * changes that follow within the interval are folded into one message sent when it ends,
 * built then from the latest state. So a socket gets at most one message per interval, and
 * always one after the last change. Every socket of a room gets the same messages at the
 * same moments, so pacing the room paces each socket.
 *
 * Its memory is only a time and a timer: if the object holding it is evicted, a fresh pacer
 * may send one message sooner than the interval after a message sent before the eviction —
 * an eviction needs ten idle seconds, far longer than the interval.
 */
export class CountsPacer {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private pending = false;

  constructor(
    private readonly send: () => void,
    private readonly intervalMs = COUNTS_INTERVAL_MS,
    private readonly clock: PacerClock = realClock,
  ) {}

  /** Counts changed: send now, or once the interval since the last message has passed. */
  changed(): void {
    if (this.pending) return;
    const now = this.clock.now();
    const due = this.lastSentAt + this.intervalMs;
    if (now >= due) {
      this.fire(now);
      return;
    }
    this.pending = true;
    this.clock.setTimeout(() => {
      this.pending = false;
      this.fire(this.clock.now());
    }, due - now);
  }

  /** True while a trailing message is scheduled (the holder must stay awake for it). */
  get hasPending(): boolean {
    return this.pending;
  }

  private fire(now: number): void {
    this.lastSentAt = now;
    this.send();
  }
}
