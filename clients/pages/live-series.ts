/**
 * What the console's charts plot, from the live room's `counts` frames: arrivals per second
 * (the growth of `applicants`, which counts every application ever recorded, between frames,
 * given to the second the frame was stamped) and the fill curve (won + waitlisted at each
 * frame). Frames come at most every 250 ms while counts change, so a second's arrivals are
 * the sum of its frames' growth.
 */

/**
 * The last this many seconds are kept, of arrivals and of the fill curve: a drop is short, a
 * chart stays readable, and a console left open for hours does not grow without end.
 */
const WINDOW_SECONDS = 600;

export class LiveSeries {
  private readonly arrivals = new Map<number, number>();
  private readonly fillAt: number[] = [];
  private readonly fillCount: number[] = [];
  private applicants: number;

  constructor(applicants: number, filled: number, atMs: number) {
    this.applicants = applicants;
    this.fillAt.push(atMs / 1000);
    this.fillCount.push(filled);
  }

  /** A frame's figures at its `at`; a count that went down (never expected) adds nothing. */
  record(atMs: number, applicants: number, filled: number): void {
    const second = Math.floor(atMs / 1000);
    const grown = Math.max(0, applicants - this.applicants);
    this.applicants = Math.max(this.applicants, applicants);
    if (grown > 0 || this.arrivals.size === 0) {
      this.arrivals.set(second, (this.arrivals.get(second) ?? 0) + grown);
    }
    const lastAt = this.fillAt.at(-1) ?? 0;
    // Frames may arrive out of order across a reconnection: keep x increasing, as uPlot needs.
    this.fillAt.push(Math.max(lastAt, atMs / 1000));
    this.fillCount.push(filled);
    this.forgetBefore(Math.max(second, Math.floor(lastAt)) - WINDOW_SECONDS);
  }

  /**
   * Drops the seconds before `first` and the fill points before it, all but the last of
   * those, which gives the curve its level where the window starts.
   */
  private forgetBefore(first: number): void {
    for (const second of this.arrivals.keys()) {
      if (second < first) this.arrivals.delete(second);
    }
    let before = 0;
    while (before < this.fillAt.length && (this.fillAt[before] ?? 0) < first) before++;
    if (before > 1) {
      this.fillAt.splice(0, before - 1);
      this.fillCount.splice(0, before - 1);
    }
  }

  /** Seconds from the first recorded to the last, each with its arrivals (0 when none). */
  arrivalsPerSecond(): { x: number[]; y: number[] } {
    const seconds = [...this.arrivals.keys()];
    if (seconds.length === 0) return { x: [], y: [] };
    const last = Math.max(...seconds);
    const first = Math.min(...seconds);
    const x: number[] = [];
    const y: number[] = [];
    for (let s = first; s <= last; s++) {
      x.push(s);
      y.push(this.arrivals.get(s) ?? 0);
    }
    return { x, y };
  }

  /** The busiest second of the window. */
  peakPerSecond(): number {
    return Math.max(0, ...this.arrivals.values());
  }

  fillCurve(): { x: number[]; y: number[] } {
    return { x: [...this.fillAt], y: [...this.fillCount] };
  }
}
