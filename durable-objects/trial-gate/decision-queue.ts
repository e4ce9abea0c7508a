import type { GateEvent } from "../../core/first-come/types";
import type { DecisionQueue } from "../../core/ports/decision-queue";

/** Cloudflare Queues accept at most 100 messages per sendBatch call. */
const MAX_BATCH = 100;

export function cloudflareDecisionQueue(queue: Queue): DecisionQueue {
  return {
    async sendBatch(events: GateEvent[]) {
      // A failure after an earlier chunk was accepted makes the caller resend that chunk
      // too: consumers are idempotent, so a duplicate is harmless and nothing is lost.
      for (let i = 0; i < events.length; i += MAX_BATCH) {
        const chunk = events.slice(i, i + MAX_BATCH);
        await queue.sendBatch(chunk.map((body) => ({ body, contentType: "json" as const })));
      }
    },
  };
}
