import type { Application, GateSnapshot } from "../../core/first-come/types";
import {
  CLOSE,
  countClientMessage,
  type FloodWindow,
  NO_MESSAGES,
  PING,
  PONG,
  ROOM_FULL_RETRY_AFTER_SECONDS,
  SOCKETS_PER_MEMBER_AND_TRIAL,
} from "../../core/live-room/client-messages";
import { CountsPacer } from "../../core/live-room/counts-pacer";
import {
  applicationMessage,
  countsChanged,
  countsMessage,
  helloMessage,
  isNews,
  type LiveMessage,
  type SentApplication,
  statusMessage,
} from "../../core/live-room/messages";
import { log } from "../../core/log";
import type { LiveAdmission, OpenResult } from "../../core/ports/live-rooms";
import { presentApplication } from "../../core/wire/application";

/**
 * The live trial room inside the trial's gate (API.md, "Live trial room"). It uses the
 * WebSocket Hibernation API: the runtime holds the sockets, the object may be evicted while
 * nothing happens and is woken by the next decision, message or alarm. So nothing about a
 * socket lives only in memory: who it belongs to, what its member was last told and its
 * count of client messages are its attachment (serializeAttachment, kept by the runtime),
 * its member is a tag (getWebSockets(tag) finds a member's sockets after a wake-up), and a
 * ping is answered by the runtime's auto-response without waking the object at all.
 */

/** What each socket carries through hibernation (at most 2 KB). */
interface SocketAttachment {
  /** The ticket's member; null for a public watcher. */
  memberId: string | null;
  /** What this socket last told its member about their application. */
  sent: SentApplication | null;
  flood: FloodWindow;
}

/** What the room reads of its gate, at the moment it needs it. */
export interface RoomGate {
  /** Null while the gate was never configured: no such trial. */
  snapshot(now: number): GateSnapshot | null;
  /** The member's application with its current position, or null. */
  applicationOf(userId: string): Application | null;
  /** Spend a ticket: false when it was spent before (single use). */
  spendTicket(ticketId: string, expiresAt: number, now: number): boolean;
}

const MEMBER_TAG = (userId: string) => `m:${userId}`;
const EVERYONE_TAG = "watcher";

export class LiveRoom {
  private readonly pacer: CountsPacer;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly gate: RoomGate,
  ) {
    // Answered by the runtime itself, even while the object hibernates.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.pacer = new CountsPacer(() => this.sendCounts());
  }

  /** The upgrade: refusals first (nothing is spent by a refused request but the check). */
  open(admission: LiveAdmission, now: number): OpenResult {
    const snapshot = this.gate.snapshot(now);
    if (!snapshot) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
    if (this.ctx.getWebSockets().length >= admission.maxWatchers) {
      return {
        kind: "refused",
        code: "LIVE_ROOM_FULL",
        retryAfterSeconds: ROOM_FULL_RETRY_AFTER_SECONDS,
      };
    }
    const member = admission.member;
    if (member) {
      const open = this.ctx.getWebSockets(MEMBER_TAG(member.userId)).length;
      if (open >= SOCKETS_PER_MEMBER_AND_TRIAL) {
        return { kind: "refused", code: "RATE_LIMITED", retryAfterSeconds: 60 };
      }
      if (!this.gate.spendTicket(member.ticketId, member.expiresAt, now)) {
        return { kind: "refused", code: "INVALID_LIVE_TICKET" };
      }
    }

    const pair = new WebSocketPair();
    const server = pair[1];
    const tags = member ? [EVERYONE_TAG, MEMBER_TAG(member.userId)] : [EVERYONE_TAG];
    this.ctx.acceptWebSocket(server, tags);
    const application = member ? this.gate.applicationOf(member.userId) : null;
    const attachment: SocketAttachment = {
      memberId: member?.userId ?? null,
      sent: application ? sentOf(application) : null,
      flood: NO_MESSAGES,
    };
    server.serializeAttachment(attachment);
    send(
      server,
      helloMessage(
        admission.trial,
        snapshot,
        application ? presentApplication(application) : null,
        now,
      ),
    );
    return { kind: "opened", response: new Response(null, { status: 101, webSocket: pair[0] }) };
  }

  /**
   * After a commit: the status at once when it was announced anew, counts paced, and each
   * affected member's application when it is news to their socket. `touched` are the members
   * whose application the commit changed; `waitlistMoved` says every waiting member's
   * position may have moved too (a place given up or a promotion).
   */
  /** Whether anyone is watching: without a socket the gate need not build snapshots. */
  get watched(): boolean {
    return this.ctx.getWebSockets().length > 0;
  }

  changed(
    before: GateSnapshot | null,
    after: GateSnapshot,
    touched: readonly string[],
    waitlistMoved: boolean,
    now: number,
  ): void {
    if (!this.watched) return;
    if (!before || before.statusVersion !== after.statusVersion) {
      this.broadcast(statusMessage(after, now));
    }
    if (countsChanged(before, after)) this.pacer.changed();
    const sockets = new Set<WebSocket>();
    for (const userId of touched) {
      for (const ws of this.ctx.getWebSockets(MEMBER_TAG(userId))) sockets.add(ws);
    }
    if (waitlistMoved) {
      for (const ws of this.ctx.getWebSockets(EVERYONE_TAG)) {
        if (attachmentOf(ws).sent?.status === "WAITLISTED") sockets.add(ws);
      }
    }
    this.tellMembers(sockets);
  }

  /** A client message: a ping never gets here (auto-response); the rest only count. */
  message(ws: WebSocket, now: number): void {
    const attachment = attachmentOf(ws);
    const { window, flooding } = countClientMessage(attachment.flood, now);
    if (flooding) {
      ws.close(CLOSE.POLICY, "too many messages: the room is server-push only");
      return;
    }
    ws.serializeAttachment({ ...attachment, flood: window });
  }

  private tellMembers(sockets: Iterable<WebSocket>): void {
    const current = new Map<string, Application | null>();
    for (const ws of sockets) {
      const attachment = attachmentOf(ws);
      const userId = attachment.memberId;
      if (!userId) continue;
      if (!current.has(userId)) current.set(userId, this.gate.applicationOf(userId));
      const application = current.get(userId);
      if (!application) continue;
      const next = sentOf(application);
      if (!isNews(attachment.sent, next)) continue;
      if (send(ws, applicationMessage(presentApplication(application)))) {
        ws.serializeAttachment({ ...attachment, sent: next });
      }
    }
  }

  private sendCounts(): void {
    const snapshot = this.gate.snapshot(Date.now());
    if (snapshot) this.broadcast(countsMessage(snapshot, Date.now()));
  }

  private broadcast(message: LiveMessage): void {
    const text = JSON.stringify(message);
    let failed = 0;
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
      } catch {
        failed++;
      }
    }
    if (failed > 0) log.warn("live.send_failed", { type: message.type, sockets: failed });
  }
}

function sentOf(application: Application): SentApplication {
  return {
    status: application.status,
    position: application.position,
    version: application.version,
  };
}

function attachmentOf(ws: WebSocket): SocketAttachment {
  return (
    (ws.deserializeAttachment() as SocketAttachment | null) ?? {
      memberId: null,
      sent: null,
      flood: NO_MESSAGES,
    }
  );
}

function send(ws: WebSocket, message: LiveMessage): boolean {
  try {
    ws.send(JSON.stringify(message));
    return true;
  } catch {
    // Closing or closed: its close handler tidies up.
    return false;
  }
}
