import type { Application } from "../../core/first-come/types.ts";
import type { FloodWindow } from "../../core/live-room/client-messages.ts";
import type { LiveMessage, SentApplication } from "../../core/live-room/messages.ts";

/**
 * One watcher's socket in an isolate's room. It lives in memory only: on Deno the socket
 * itself dies with the isolate, so nothing about it needs to outlive it.
 */
export interface LiveSocket {
  /** Set once the upgrade is done; null while the place is only reserved. */
  ws: WebSocket | null;
  /** The ticket's member; null for a public watcher. */
  memberId: string | null;
  /** What this socket last told its member about their application. */
  sent: SentApplication | null;
  flood: FloodWindow;
  /** True once `hello` went out: no other message may precede it. */
  welcomed: boolean;
}

export function sentOf(application: Application): SentApplication {
  return {
    status: application.status,
    position: application.position,
    version: application.version,
  };
}

/** Send if the socket is open; false when it is closing or closed (its close tidies up). */
export function sendTo(socket: LiveSocket, text: string): boolean {
  const ws = socket.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  try {
    ws.send(text);
    return true;
  } catch {
    return false;
  }
}

export function sendMessage(socket: LiveSocket, message: LiveMessage): boolean {
  return sendTo(socket, JSON.stringify(message));
}
