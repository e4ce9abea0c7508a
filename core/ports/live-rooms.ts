import type { Refused } from "../first-come/types";

/**
 * The live trial room (GET /v1/trials/:id/live): one room per trial, which accepts watchers'
 * WebSockets and pushes them the trial's status, counts and each member's own application.
 * Cloudflare implements it in the trial's Durable Object (the WebSocket Hibernation API);
 * Deno in each isolate, fed by one Deno KV subscription per trial.
 */
export interface LiveRooms {
  /**
   * Answer an upgrade request the app has checked (a WebSocket upgrade for a trial in the
   * catalog, with a ticket whose signature and expiry hold): the 101 response that opens the
   * socket, or why the room refuses it.
   */
  open(request: Request, admission: LiveAdmission): Promise<OpenResult>;
}

export interface LiveAdmission {
  trialId: string;
  /** The catalog's `Trial` in its JSON shape: the room lays the live fields over it. */
  trial: Record<string, unknown>;
  /** The ticket's member, for a socket opened with one; null for a public watcher. */
  member: TicketHolder | null;
  /** The most sockets the room holds (Cloudflare: per trial; Deno: per isolate and trial). */
  maxWatchers: number;
}

/** Who a verified ticket names; the room spends `ticketId` so a ticket opens one socket. */
export interface TicketHolder {
  userId: string;
  ticketId: string;
  /** Epoch ms: the room must remember a spent ticket at least until then. */
  expiresAt: number;
}

export type OpenResult =
  | { kind: "opened"; response: Response }
  | Refused<"TRIAL_NOT_FOUND" | "INVALID_LIVE_TICKET">
  | (Refused<"LIVE_ROOM_FULL" | "RATE_LIMITED"> & { retryAfterSeconds: number });
