import { nextTransitionAt, snapshotOf } from "../../core/first-come/decide.ts";
import type { GateSnapshot, GateState } from "../../core/first-come/types.ts";
import {
  CLOSE,
  countClientMessage,
  NO_MESSAGES,
  PING,
  PONG,
  ROOM_FULL_RETRY_AFTER_SECONDS,
  SOCKETS_PER_MEMBER_AND_TRIAL,
} from "../../core/live-room/client-messages.ts";
import { CountsPacer } from "../../core/live-room/counts-pacer.ts";
import {
  applicationMessage,
  countsChanged,
  countsMessage,
  helloMessage,
  isNews,
  type LiveMessage,
  statusChanged,
  statusMessage,
} from "../../core/live-room/messages.ts";
import { describeError, log } from "../../core/log.ts";
import type { OpenResult, TicketHolder } from "../../core/ports/live-rooms.ts";
import { presentApplication } from "../../core/wire/application.ts";
import { gateKeys } from "../keys.ts";
import { findApplicationsByUsers } from "../kv-ledger.ts";
import { CoalescingRunner } from "./coalescing-runner.ts";
import { type LiveSocket, sendMessage, sendTo, sentOf } from "./live-socket.ts";
import { StateSubscription } from "./subscription.ts";

type Refusal = Exclude<OpenResult, { kind: "opened" }>;

/** Past the transition's millisecond, so the status computed then has moved. */
const CLOCK_MARGIN_MS = 5;
const MAX_CLOCK_WAIT_MS = 3_600_000;

/** A round that failed (local KV: "database is locked" between processes) runs again. */
const RETRY_AFTER_FAILURE_MS = 100;

/**
 * One trial's room in one isolate: the sockets connected here, and one subscription to the
 * trial's gate state shared by all of them (started with the first socket, stopped with the
 * last). Decisions may be taken in any isolate or process; each room learns of them from
 * KV and fans out to its own sockets only.
 *
 * Its work runs one piece at a time (CoalescingRunner): welcoming new sockets and catching
 * up with the state. So a socket is either welcomed before a catch-up, and included in it,
 * or after, with what the catch-up saw already in its `hello`; and however many changes
 * arrive during a catch-up, they cost one more.
 */
export class TrialRoom {
  private readonly sockets = new Set<LiveSocket>();
  private readonly perMember = new Map<string, number>();
  /** Sockets open but not welcomed yet, with the catalog's trial for their `hello`. */
  private waiting: { socket: LiveSocket; trial: Record<string, unknown> }[] = [];
  /** The state this room last told its sockets about, and what it told (at that time). */
  private told: { versionstamp: string; state: GateState; snapshot: GateSnapshot } | null = null;
  /** Wakes the room when the clock alone changes the status (opening, end of term). */
  private clock: ReturnType<typeof setTimeout> | null = null;
  private readonly pacer = new CountsPacer(() => this.sendCounts());
  private readonly runner = new CoalescingRunner(
    () => this.work(),
    (err) => {
      log.warn("live.round_failed", { trialId: this.trialId, error: describeError(err) });
      // The subscription has signalled this change already: try again on our own.
      setTimeout(() => {
        if (this.sockets.size > 0) this.runner.request();
      }, RETRY_AFTER_FAILURE_MS);
    },
  );
  private readonly subscription: StateSubscription;

  constructor(
    private readonly kv: Deno.Kv,
    private readonly trialId: string,
    /** Called once the last socket left: the room is done. */
    private readonly emptied: () => void,
  ) {
    this.subscription = new StateSubscription(
      kv,
      gateKeys.state(trialId),
      () => this.runner.request(),
      (source, err) =>
        log.warn("live.subscription_failed", { trialId, source, error: describeError(err) }),
    );
  }

  /** Hold a place for a new socket, or say why there is none. */
  reserve(member: TicketHolder | null, maxWatchers: number): LiveSocket | Refusal {
    if (this.sockets.size >= maxWatchers) {
      return {
        kind: "refused",
        code: "LIVE_ROOM_FULL",
        retryAfterSeconds: ROOM_FULL_RETRY_AFTER_SECONDS,
      };
    }
    if (member && (this.perMember.get(member.userId) ?? 0) >= SOCKETS_PER_MEMBER_AND_TRIAL) {
      return { kind: "refused", code: "RATE_LIMITED", retryAfterSeconds: 60 };
    }
    const socket: LiveSocket = {
      ws: null,
      memberId: member?.userId ?? null,
      sent: null,
      flood: NO_MESSAGES,
      welcomed: false,
    };
    this.sockets.add(socket);
    if (socket.memberId) {
      this.perMember.set(socket.memberId, (this.perMember.get(socket.memberId) ?? 0) + 1);
    }
    if (this.sockets.size === 1) this.subscription.start();
    return socket;
  }

  /** The upgraded socket takes its reserved place; `hello` follows once it opens. */
  attach(socket: LiveSocket, ws: WebSocket, trial: Record<string, unknown>): void {
    socket.ws = ws;
    ws.onopen = () => {
      this.waiting.push({ socket, trial });
      this.runner.request();
    };
    ws.onmessage = (event) => this.message(socket, event.data);
    ws.onclose = () => this.release(socket);
    ws.onerror = () => this.release(socket);
  }

  /** A socket left, or its place was never used. */
  release(socket: LiveSocket): void {
    if (!this.sockets.delete(socket)) return;
    if (socket.memberId) {
      const left = (this.perMember.get(socket.memberId) ?? 1) - 1;
      if (left > 0) this.perMember.set(socket.memberId, left);
      else this.perMember.delete(socket.memberId);
    }
    if (this.sockets.size === 0) {
      this.subscription.stop();
      if (this.clock !== null) clearTimeout(this.clock);
      this.emptied();
    }
  }

  /** Resolves once the room has nothing left to do (tests). */
  settled(): Promise<void> {
    return this.runner.idle();
  }

  /** A ping gets its pong; anything else is ignored; every message counts toward a flood. */
  private message(socket: LiveSocket, data: unknown): void {
    const { window, flooding } = countClientMessage(socket.flood, Date.now());
    socket.flood = window;
    if (flooding) {
      socket.ws?.close(CLOSE.POLICY, "too many messages: the room is server-push only");
      return;
    }
    if (data === PING) sendTo(socket, PONG);
  }

  private async work(): Promise<void> {
    if (this.waiting.length > 0) {
      const waiting = this.waiting;
      this.waiting = [];
      try {
        await this.welcome(waiting);
      } catch (err) {
        this.waiting.unshift(...waiting);
        throw err;
      }
    }
    await this.catchUp();
    this.armClock();
  }

  /** `hello` for every socket opened since the last piece of work, from one read. */
  private async welcome(waiting: { socket: LiveSocket; trial: Record<string, unknown> }[]) {
    const entry = await this.kv.get<GateState>(gateKeys.state(this.trialId));
    if (entry.value === null || entry.versionstamp === null) {
      for (const { socket } of waiting) socket.ws?.close(CLOSE.GOING_AWAY, "no such trial");
      return;
    }
    const members = waiting.flatMap(({ socket }) => (socket.memberId ? [socket.memberId] : []));
    const applications =
      members.length > 0 ? await findApplicationsByUsers(this.kv, this.trialId, members) : null;
    const now = Date.now();
    const snapshot = snapshotOf(entry.value, now);
    this.told ??= { versionstamp: entry.versionstamp, state: entry.value, snapshot };
    for (const { socket, trial } of waiting) {
      if (!this.sockets.has(socket)) continue;
      const application = socket.memberId ? applications?.get(socket.memberId) : undefined;
      socket.sent = application ? sentOf(application) : null;
      const json = application ? presentApplication(application) : null;
      socket.welcomed = sendMessage(socket, helloMessage(trial, snapshot, json, now));
    }
  }

  /**
   * The state moved on since the room last told its sockets, or the clock moved its status:
   * tell them what changed. The status goes out when it differs from the one told, not on
   * the gate's statusVersion: on Deno nothing writes the state when a trial opens or ends by
   * the clock (the next decision announces it), so the room follows the clock itself and
   * the later announcement is no news.
   */
  private async catchUp(): Promise<void> {
    const entry = await this.kv.get<GateState>(gateKeys.state(this.trialId));
    if (entry.value === null || entry.versionstamp === null) return;
    const now = Date.now();
    const before = this.told?.snapshot ?? null;
    const after = snapshotOf(entry.value, now);
    const moved = entry.versionstamp !== this.told?.versionstamp;
    if (!moved && before && !statusChanged(before, after)) return;
    this.told = { versionstamp: entry.versionstamp, state: entry.value, snapshot: after };
    if (!before || statusChanged(before, after)) this.broadcast(statusMessage(after, now));
    if (countsChanged(before, after)) this.pacer.changed();
    if (moved) await this.tellMembers(this.membersWhoMayHaveNews(before, after));
  }

  /** A wake-up at the next moment the clock alone changes the trial's status. */
  private armClock(): void {
    if (this.clock !== null) clearTimeout(this.clock);
    this.clock = null;
    if (!this.told || this.sockets.size === 0) return;
    const at = nextTransitionAt(this.told.state, Date.now());
    if (at === null) return;
    // Capped: a timer further out than 2^31 ms would fire at once; a long wait re-arms.
    const inMs = Math.min(Math.max(0, at - Date.now()) + CLOCK_MARGIN_MS, MAX_CLOCK_WAIT_MS);
    this.clock = setTimeout(() => {
      this.clock = null;
      this.runner.request();
    }, inMs);
  }

  /**
   * Only members whose application can have changed: without one, when someone applied;
   * with one, when a place was taken, given up or passed on (positions move then too).
   */
  private membersWhoMayHaveNews(before: GateSnapshot | null, after: GateSnapshot): LiveSocket[] {
    const applied = !before || after.applicants !== before.applicants;
    const moved =
      !before ||
      after.won !== before.won ||
      after.waitlisted !== before.waitlisted ||
      after.cancelled !== before.cancelled ||
      after.promoted !== before.promoted;
    return [...this.sockets].filter(
      (s) => s.welcomed && s.memberId !== null && (s.sent === null ? applied : moved),
    );
  }

  private async tellMembers(sockets: LiveSocket[]): Promise<void> {
    if (sockets.length === 0) return;
    const userIds = sockets.map((s) => s.memberId as string);
    const current = await findApplicationsByUsers(this.kv, this.trialId, userIds);
    for (const socket of sockets) {
      const application = current.get(socket.memberId as string);
      if (!application) continue;
      const next = sentOf(application);
      if (!isNews(socket.sent, next)) continue;
      if (sendMessage(socket, applicationMessage(presentApplication(application)))) {
        socket.sent = next;
      }
    }
  }

  private sendCounts(): void {
    if (this.told)
      this.broadcast(countsMessage(snapshotOf(this.told.state, Date.now()), Date.now()));
  }

  private broadcast(message: LiveMessage): void {
    const text = JSON.stringify(message);
    let failed = 0;
    for (const socket of this.sockets) {
      if (socket.welcomed && !sendTo(socket, text)) failed++;
    }
    if (failed > 0) log.warn("live.send_failed", { type: message.type, sockets: failed });
  }
}
