import type { IncomingMessage } from "../incoming-message";

/**
 * The notifications queue parks nothing itself: a notification's row in Postgres is its
 * record, and a row must never stay PENDING for good. So the handler gives up on the last
 * delivery the queue allows (wrangler.toml's max_retries, 10, plus the first delivery): it
 * marks the row FAILED with the reason and acks, before the queue would move the message to
 * try-it-notifications-dlq where nobody reads it.
 */
const MAX_DELIVERIES = 11;

/** True on the delivery after which the queue would dead-letter this message. */
export function isLastDelivery(message: IncomingMessage): boolean {
  return message.attempts >= MAX_DELIVERIES;
}

/** The error a given-up row keeps: how many sends it took, and the last one's answer. */
export function gaveUpError(attempts: number, lastError: string): string {
  return `gave up after ${attempts} attempts: ${lastError}`;
}
