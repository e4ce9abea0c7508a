import type { ApplyResult } from "../../core/first-come/types";
import type { ApplyRequest, TrialGate } from "../../core/ports/trial-gate";
import { awaitShared } from "../lib/await-shared";

/**
 * Group commit into a trial's gate, per isolate (docs/decisions/0019). At most one gate call
 * per trial is in flight from this isolate; applications that arrive meanwhile wait in
 * arrival order and go together in the next call, up to `maxBatch`. There is no timer: a
 * lone application on an idle trial leaves at once, so a quiet trial pays nothing, and a
 * flood batches itself, by exactly as much as the gate's round trip lets requests pile up.
 *
 * Each batch is sent by its first (oldest) request, from that request's own context and
 * through a gate handle made there, while it waits for its answer: on Workers a request must not
 * do I/O for another, and a batch sent by a request that already finished could be cut off.
 * When a batch's answer arrives, the leader hands the turn to the oldest waiting request.
 */
interface Lane {
  /** Requests waiting for the next call, oldest first. */
  queue: Waiter[];
  /** Whether a call is in flight (or its leader is about to send it). */
  busy: boolean;
}

interface Waiter {
  request: ApplyRequest;
  settle(settlement: Settlement): void;
}

type Settlement =
  | { kind: "answer"; result: ApplyResult; batchSize: number }
  | { kind: "failed"; error: unknown }
  | { kind: "lead" };

/** What a member's request gets: its result, and how many shared its gate call. */
export interface BatchedResult {
  result: ApplyResult;
  batchSize: number;
}

export class GroupCommit {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly maxBatch: number) {}

  /**
   * `keepAlive` holds the request's context open until its part is done (Workers'
   * waitUntil): a member who disconnects while waiting may still be handed the lead, and the
   * requests queued behind them must not wait for a context that was cancelled.
   */
  apply(
    gate: () => TrialGate,
    trialId: string,
    request: ApplyRequest,
    keepAlive: (promise: Promise<unknown>) => void,
  ): Promise<BatchedResult> {
    const done = this.join(gate, trialId, request);
    keepAlive(done.catch(() => undefined));
    return done;
  }

  private async join(
    gate: () => TrialGate,
    trialId: string,
    request: ApplyRequest,
  ): Promise<BatchedResult> {
    let lane = this.lanes.get(trialId);
    if (!lane) {
      lane = { queue: [], busy: false };
      this.lanes.set(trialId, lane);
    }
    const queue = lane.queue;
    const turn = new Promise<Settlement>((settle) => {
      queue.push({ request, settle });
    });
    if (lane.busy) {
      // Its turn is settled by another request (the leader).
      const settlement = await awaitShared(turn);
      if (settlement.kind === "answer") return settlement;
      if (settlement.kind === "failed") throw settlement.error;
    }
    // This request leads: it is the oldest waiting one, first in the queue.
    lane.busy = true;
    return this.lead(gate, trialId, lane);
  }

  /** Requests of a trial waiting for the next gate call in this isolate (for tests). */
  pending(trialId: string): number {
    return this.lanes.get(trialId)?.queue.length ?? 0;
  }

  /**
   * Sends the oldest requests as one call. The leader is the first of them: the others are
   * settled here, and the leader's own result is returned (or its error thrown).
   */
  private async lead(gate: () => TrialGate, trialId: string, lane: Lane): Promise<BatchedResult> {
    const batch = lane.queue.splice(0, this.maxBatch);
    const others = batch.slice(1);
    try {
      // The handle is made here, in the context that sends the call, never carried over.
      const results = await gate().applyMany(batch.map((w) => w.request));
      if (results.length !== batch.length) {
        throw new Error(`gate answered ${results.length} results for ${batch.length} requests`);
      }
      const batchSize = batch.length;
      others.forEach((w, i) => {
        w.settle({ kind: "answer", result: results[i + 1] as ApplyResult, batchSize });
      });
      return { result: results[0] as ApplyResult, batchSize };
    } catch (error) {
      // Nothing was answered: every request of the batch fails alike (the gate stored all of
      // it or none on the Durable Object; a prefix of whole commits on KV, found on retry).
      for (const w of others) w.settle({ kind: "failed", error });
      throw error;
    } finally {
      const next = lane.queue[0];
      if (next) next.settle({ kind: "lead" });
      else {
        lane.busy = false;
        this.lanes.delete(trialId);
      }
    }
  }
}
