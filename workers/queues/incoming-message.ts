/**
 * The slice of a queue message both consumers use. Cloudflare's Message satisfies it; on Deno
 * the outbox drainer and the in-process notifications queue build it. Its own file, so the
 * decisions handler and its compensation both import it without importing each other.
 */
export interface IncomingMessage {
  readonly id: string;
  readonly body: unknown;
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}
