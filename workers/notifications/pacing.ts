/**
 * Keeps sends to one Slack channel about a second apart (Slack's chat.postMessage limit is
 * roughly one message per second per channel, with short bursts). One webhook is one channel
 * for every member, so webhook mode is paced as a whole; DMs are paced per member. With the
 * queue's max_concurrency = 1 there is one consumer, so an in-memory clock is enough: an
 * isolate that restarts forgets it, which costs at most one early send.
 */
export class Pacer {
  private readonly lastSendAt = new Map<string, number>();

  constructor(
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Waits until `channelKey` may be used again. */
  async wait(channelKey: string): Promise<void> {
    const last = this.lastSendAt.get(channelKey);
    const waitMs = last === undefined ? 0 : last + this.intervalMs - this.now();
    if (waitMs > 0) await this.sleep(waitMs);
  }

  /**
   * Marks `channelKey` used, once the send has finished: the Workers clock only moves on
   * I/O, so a mark taken before the request would be early and the next gap too short.
   */
  markSent(channelKey: string): void {
    this.lastSendAt.set(channelKey, this.now());
    // Only the recent past matters: drop entries that can no longer hold anyone back.
    if (this.lastSendAt.size > 1000) {
      const cutoff = this.now() - this.intervalMs;
      for (const [key, at] of this.lastSendAt) if (at < cutoff) this.lastSendAt.delete(key);
    }
  }
}
