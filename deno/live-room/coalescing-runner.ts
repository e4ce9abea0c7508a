/**
 * Runs a piece of work one at a time, however often it is asked for: a request while a run
 * is in progress folds into one more run after it, so a flood of change notifications costs
 * at most one run in progress and one waiting, never a queue.
 */
export class CoalescingRunner {
  private current: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  request(): void {
    if (this.current) {
      this.again = true;
      return;
    }
    this.current = this.loop();
  }

  /** Resolves once no run is in progress or asked for. */
  async idle(): Promise<void> {
    while (this.current) await this.current;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.run();
      } catch (err) {
        this.onError(err);
      }
    } while (this.again);
    this.current = null;
  }
}
