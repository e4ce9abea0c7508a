/**
 * What the decisions consumer parks: a message that can never be processed (an invalid shape,
 * or an event whose place compensation gave back), as it came, with the reason. Parked
 * messages are never retried; an operator reads them. Each platform keeps them its own way:
 * Cloudflare in the try-it-decisions-dlq queue (below), Deno in KV (deno/outbox.ts).
 */
export interface DeadLetter {
  reason: string;
  body: unknown;
}

/** Parks one message for good; a throw means it was not parked and the message is retried. */
export type ParkDeadLetter = (body: unknown, reason: string) => Promise<void>;

/** The slice of a Cloudflare Queue producer the dead letters go through. */
export interface DeadLetterQueue {
  send(message: DeadLetter, options: { contentType: "json" }): Promise<unknown>;
}

/** Cloudflare: into the decisions dead-letter queue (wrangler.toml's DECISIONS_DLQ binding). */
export function queueDeadLetters(queue: DeadLetterQueue): ParkDeadLetter {
  return async (body, reason) => {
    await queue.send({ reason, body }, { contentType: "json" });
  };
}
