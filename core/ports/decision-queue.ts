import type { GateEvent } from "../first-come/types";

/** Where a gate's outbox delivers its events: a Cloudflare Queue, or a direct persister on Deno. */
export interface DecisionQueue {
  /** Resolves only once every event is accepted; throws if any may not have been. */
  sendBatch(events: GateEvent[]): Promise<void>;
}
