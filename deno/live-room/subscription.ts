/**
 * Tells a room that a trial's gate state may have changed. Every decision writes the state
 * entry (deno/keys.ts), so its versionstamp moving is the one signal the room needs.
 *
 * Two sources, either enough on its own where it works:
 * - Deno KV `watch` on the state key: immediate, and all it takes on Deno Deploy;
 * - a poll of the entry's versionstamp: local Deno KV (SQLite) notifies watchers in its own
 *   process only, not in another process opening the same file (denoland/deno#21640, seen
 *   with deno 2.9.5), and the local stack and the contract suite run two processes on one
 *   file.
 * A versionstamp is signalled once, whichever source sees it first.
 */

/** Short enough that a decision in the other process reaches a watcher within a fraction of
 * the 250 ms counts interval; one point read of one key per trial and isolate per poll. */
const STATE_POLL_INTERVAL_MS = 150;

export class StateSubscription {
  private reader: ReadableStreamDefaultReader<Deno.KvEntryMaybe<unknown>[]> | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** The newest versionstamp signalled (versionstamps grow, and compare as strings). */
  private newest: string | null = null;

  constructor(
    private readonly kv: Deno.Kv,
    private readonly key: Deno.KvKey,
    private readonly changed: () => void,
    private readonly onError: (source: "watch" | "poll", err: unknown) => void,
    private readonly pollIntervalMs = STATE_POLL_INTERVAL_MS,
  ) {}

  start(): void {
    this.reader = this.kv.watch([this.key]).getReader();
    void this.readWatch(this.reader);
    this.schedulePoll();
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.reader?.cancel().catch(() => {});
    this.reader = null;
  }

  private async readWatch(
    reader: ReadableStreamDefaultReader<Deno.KvEntryMaybe<unknown>[]>,
  ): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.stopped) return;
        this.seen(value[0]?.versionstamp ?? null);
      }
    } catch (err) {
      // The poll carries on alone.
      if (!this.stopped) this.onError("watch", err);
    }
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.pollTimer = setTimeout(async () => {
      try {
        const entry = await this.kv.get(this.key);
        if (!this.stopped) this.seen(entry.versionstamp);
      } catch (err) {
        if (!this.stopped) this.onError("poll", err);
      }
      this.schedulePoll();
    }, this.pollIntervalMs);
  }

  private seen(versionstamp: string | null): void {
    if (versionstamp === null) return;
    if (this.newest !== null && versionstamp <= this.newest) return;
    this.newest = versionstamp;
    this.changed();
  }
}
