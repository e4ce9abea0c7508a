/**
 * What a client may send the live room: a ping, nothing else. The room is server-push only;
 * any other message is ignored, and a client that sends too many of any kind is closed.
 */

/** The exact ping text a client sends, and the pong it gets back (on Cloudflare answered by
 * the runtime's auto-response, without waking the room). */
export const PING = '{"type":"ping"}';
export const PONG = '{"type":"pong"}';

/** Close codes the room uses (RFC 6455 §7.4.1). */
export const CLOSE = {
  /** A client that floods: policy violation. */
  POLICY: 1008,
  /** The trial was cancelled or the room shut down. */
  GOING_AWAY: 1001,
} as const;

/**
 * A client may send this many messages per window before it is closed. Pings count on Deno;
 * on Cloudflare the runtime answers them without waking the room, so they cost nothing there
 * and are never seen, let alone counted.
 */
export const FLOOD_LIMIT = { messages: 20, windowMs: 10_000 } as const;

/** A socket's count of client messages in its current window: small enough for a socket's
 * attachment, so it survives the Durable Object's hibernation. */
export interface FloodWindow {
  startedAt: number;
  count: number;
}

export const NO_MESSAGES: FloodWindow = { startedAt: 0, count: 0 };

/** One more client message: the window after it, and whether the client is flooding. */
export function countClientMessage(
  window: FloodWindow,
  now: number,
  limit: { messages: number; windowMs: number } = FLOOD_LIMIT,
): { window: FloodWindow; flooding: boolean } {
  const current = now - window.startedAt >= limit.windowMs ? { startedAt: now, count: 0 } : window;
  const next = { startedAt: current.startedAt, count: current.count + 1 };
  return { window: next, flooding: next.count > limit.messages };
}

/** The most sockets one member may hold open on one trial (API.md: not below 5). */
export const SOCKETS_PER_MEMBER_AND_TRIAL = 5;

/** How long a refused watcher is told to wait before trying a full room again. */
export const ROOM_FULL_RETRY_AFTER_SECONDS = 5;
