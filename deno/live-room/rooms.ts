import type { GateState } from "../../core/first-come/types.ts";
import type { LiveRooms, OpenResult } from "../../core/ports/live-rooms.ts";
import { gateKeys } from "../keys.ts";
import { untilCommitted } from "../retry.ts";
import { spendTicket } from "./tickets.ts";
import { TrialRoom } from "./trial-room.ts";

/**
 * The live trial rooms of one Deno isolate (the LiveRooms port): a room per watched trial,
 * holding the sockets connected to this isolate. The refusals are the Durable Object room's
 * (durable-objects/trial-gate/live-room.ts), except that "full" counts this isolate's
 * sockets; tickets are spent in KV, so a ticket opens one socket across every isolate.
 */
export function denoLiveRooms(kv: Deno.Kv): LiveRooms {
  const rooms = new Map<string, TrialRoom>();

  const roomOf = (trialId: string): TrialRoom => {
    const existing = rooms.get(trialId);
    if (existing) return existing;
    const room: TrialRoom = new TrialRoom(kv, trialId, () => {
      if (rooms.get(trialId) === room) rooms.delete(trialId);
    });
    rooms.set(trialId, room);
    return room;
  };

  return {
    async open(request, admission): Promise<OpenResult> {
      // Retried like the gate's own reads: local KV may answer "database is locked".
      const state = await untilCommitted(() =>
        kv.get<GateState>(gateKeys.state(admission.trialId)),
      );
      if (state.value === null) return { kind: "refused", code: "TRIAL_NOT_FOUND" };
      // No await between finding the room and reserving: an emptied room is never reused.
      const room = roomOf(admission.trialId);
      const socket = room.reserve(admission.member, admission.maxWatchers);
      if ("kind" in socket) return socket;
      const member = admission.member;
      try {
        if (member && !(await spendTicket(kv, member.ticketId, member.expiresAt, Date.now()))) {
          room.release(socket);
          return { kind: "refused", code: "INVALID_LIVE_TICKET" };
        }
        const { socket: ws, response } = Deno.upgradeWebSocket(request);
        room.attach(socket, ws, admission.trial);
        return { kind: "opened", response };
      } catch (err) {
        room.release(socket);
        throw err;
      }
    },
  };
}
