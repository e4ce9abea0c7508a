import type { GateEvent } from "../core/first-come/types.ts";
import { describeError, log } from "../core/log.ts";
import type { Metrics } from "../core/ports/metrics.ts";
import { batchThenEach } from "../workers/lib/isolated.ts";
import type { DeadLetter, ParkDeadLetter } from "../workers/queues/decisions/dead-letters.ts";
import { type PersistDeps, persistDecisions } from "../workers/queues/decisions/handler.ts";
import type { IncomingMessage } from "../workers/queues/incoming-message.ts";
import { gateKeys } from "./keys.ts";

/**
 * The Deno target has no queues: the KV outbox is the queue. Every gate commit writes its
 * events under ["outbox", …] in the same atomic commit as the decision; this module hands
 * them to the same consumer the Cloudflare queue feeds (persistDecisions), then deletes what
 * was acked. Retry bookkeeping (attempts, not-before) lives beside the entry, so the event
 * itself is never rewritten.
 */

/** The consumer's batch size on Cloudflare too (wrangler.toml max_batch_size). */
const PAGE_SIZE = 100;
/** KV list pages per drain: one drain never runs unbounded; the next kick or cron goes on. */
const MAX_PAGES = 50;

interface RetryState {
  /** Deliveries so far. */
  attempts: number;
  /** Epoch ms before which the entry is not delivered again (the consumer's backoff). */
  notBefore: number;
}

export interface DrainSummary {
  written: number;
  retried: number;
  deadLettered: number;
  /** Entries still waiting for their backoff to pass. */
  deferred: number;
}

/** Where a retry record lives: the outbox key's tail under its own prefix. */
function retryKey(outboxKey: Deno.KvKey): Deno.KvKey {
  return ["outbox-retry", ...outboxKey.slice(1)];
}

/**
 * Delivers every due outbox entry (of one trial, or of all) to Postgres through
 * persistDecisions. Safe to run anywhere at any time, also twice at once in two isolates:
 * the consumer's writes are idempotent and version-guarded, so a double delivery changes
 * nothing.
 */
export async function drainOutbox(
  kv: Deno.Kv,
  deps: PersistDeps,
  {
    trialId,
    now = Date.now,
    metrics,
  }: { trialId?: string; now?: () => number; metrics?: Metrics } = {},
): Promise<DrainSummary> {
  const prefix = trialId ? gateKeys.outboxPrefix(trialId) : (["outbox"] as Deno.KvKey);
  const retries = await loadRetries(kv, ["outbox-retry", ...prefix.slice(1)]);
  const summary: DrainSummary = { written: 0, retried: 0, deadLettered: 0, deferred: 0 };
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const iter = kv.list<GateEvent>({ prefix }, { limit: PAGE_SIZE, cursor });
    const due: { key: Deno.KvKey; event: GateEvent; attempts: number }[] = [];
    let seen = 0;
    for await (const entry of iter) {
      seen++;
      const state = retries.get(keyId(retryKey(entry.key)));
      if (state && state.notBefore > now()) {
        summary.deferred++;
        continue;
      }
      due.push({ key: entry.key, event: entry.value, attempts: (state?.attempts ?? 0) + 1 });
    }
    // The consumer acks or retries each message on its own; should a page still throw
    // (its bookkeeping refused), each entry goes alone, so one cannot hold back the rest.
    // Delivering an entry twice changes nothing: every write is version-guarded.
    await batchThenEach(
      { job: "outbox-drain", idOf: (entry) => keyId(entry.key), metrics },
      due,
      async (entries) => {
        const result = await deliver(kv, [...entries], deps, now);
        summary.written += result.written;
        summary.retried += result.retried;
        summary.deadLettered += result.deadLettered;
      },
    );
    if (seen < PAGE_SIZE) break;
    cursor = iter.cursor;
  }
  return summary;
}

async function deliver(
  kv: Deno.Kv,
  due: { key: Deno.KvKey; event: GateEvent; attempts: number }[],
  deps: PersistDeps,
  now: () => number,
) {
  const acked: Deno.KvKey[] = [];
  const retried: { key: Deno.KvKey; state: RetryState }[] = [];
  const messages: IncomingMessage[] = due.map(({ key, event, attempts }) => ({
    id: keyId(key),
    body: event,
    attempts,
    ack: () => acked.push(key),
    retry: (options) =>
      retried.push({
        key,
        state: { attempts, notBefore: now() + (options?.delaySeconds ?? 0) * 1000 },
      }),
  }));
  const result = await persistDecisions(messages, deps);
  // One commit per page: at most 2 mutations per entry, well under KV's 1000 per commit.
  const op = kv.atomic();
  for (const key of acked) op.delete(key).delete(retryKey(key));
  for (const { key, state } of retried) op.set(retryKey(key), state);
  const committed = await op.commit();
  if (!committed.ok) throw new Error("outbox bookkeeping did not commit");
  return result;
}

async function loadRetries(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Map<string, RetryState>> {
  const map = new Map<string, RetryState>();
  for await (const entry of kv.list<RetryState>({ prefix })) map.set(keyId(entry.key), entry.value);
  return map;
}

function keyId(key: Deno.KvKey): string {
  return JSON.stringify(key);
}

/**
 * Drains in the background after commits, one drain at a time per isolate: a flood of
 * commits while a drain runs coalesces into one more drain, which then persists them in
 * batches instead of one Postgres round trip per application.
 */
export class OutboxDrainer {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly kv: Deno.Kv,
    private readonly deps: PersistDeps,
  ) {}

  /** Schedules a drain; returns the promise of the drain that will cover this call. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const summary = await drainOutbox(this.kv, this.deps);
        if (summary.written + summary.retried + summary.deadLettered > 0) {
          log.info("outbox.drained", { ...summary });
        }
      } catch (err) {
        // The cron drain picks up whatever this one could not deliver.
        log.warn("outbox.drain_failed", { error: describeError(err) });
        return;
      }
    } while (this.again);
  }
}

/**
 * The outbox's dead letters, kept in KV where an operator lists them:
 * ["dead-letter", at, id] → { reason, body } (workers/queues/decisions/dead-letters.ts).
 */
export function kvDeadLetters(kv: Deno.Kv): ParkDeadLetter {
  return async (body, reason) => {
    const letter: DeadLetter = { reason, body };
    await kv.set(["dead-letter", Date.now(), crypto.randomUUID()], letter);
    log.error("outbox.dead_lettered", { reason });
  };
}
