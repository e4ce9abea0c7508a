import { describe, expect, it } from "vitest";
import type { ApplicationJson } from "../../core/wire/application";
import { api } from "../support/contract/client";
import { createTrial, createUser, createUsers } from "../support/contract/fixtures";
import {
  applicationsOf,
  closeRooms,
  countsSettleOn,
  isApplication,
  serverAt,
  statusesOf,
  ticketFor,
  trialCounts,
  watch,
} from "../support/contract/live-room";

/**
 * A place given up reaches the room at once: the winner's own socket hears CANCELLED, the
 * head of the waitlist hears WON, everyone behind hears their new position. On Deno the
 * sockets sit on both servers and the withdrawal is taken by the second, so each message
 * crosses processes or not depending on the socket.
 */

const apply = (trialId: string, token: string) =>
  api("POST", `/v1/trials/${trialId}/applications`, { token, body: {} });

describe("the live room when a winner withdraws", () => {
  it("tells the winner CANCELLED, the first waiting member WON and the others their new positions", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 3 });
    const [winner, first, second, third] = await createUsers("MEMBER", 4);
    if (!winner || !first || !second || !third) throw new Error("four members expected");
    const members = [winner, first, second, third];

    // Applied one by one: seq and positions are known before anyone watches.
    const applied: ApplicationJson[] = [];
    for (const m of members) {
      const res = await apply(trial.id, m.token);
      expect(res.status).toBe(201);
      applied.push(res.body);
    }
    expect(applied.map((a) => [a.status, a.position])).toEqual([
      ["WON", null],
      ["WAITLISTED", 1],
      ["WAITLISTED", 2],
      ["WAITLISTED", 3],
    ]);

    const rooms = await Promise.all(
      members.map(async (m, i) =>
        watch(trial.id, {
          server: serverAt(i),
          ticket: await ticketFor(trial.id, m.token, serverAt(i)),
        }),
      ),
    );
    const watcher = await watch(trial.id, { server: 1 });
    try {
      // Each member's hello carries their own application as it stands.
      for (const [i, room] of rooms.entries()) {
        expect(room.received[0]).toMatchObject({
          type: "hello",
          application: { id: applied[i]?.id, status: applied[i]?.status },
        });
      }

      const withdrawn = await api("DELETE", `/v1/trials/${trial.id}/applications/me`, {
        token: winner.token,
        server: 1,
      });
      expect(withdrawn.status).toBe(200);
      expect(withdrawn.body.status).toBe("CANCELLED");

      const expected = [
        { id: applied[0]?.id, seq: 1, status: "CANCELLED", position: null },
        { id: applied[1]?.id, seq: 2, status: "WON", position: null },
        { id: applied[2]?.id, seq: 3, status: "WAITLISTED", position: 1 },
        { id: applied[3]?.id, seq: 4, status: "WAITLISTED", position: 2 },
      ];
      await Promise.all(
        rooms.map((room, i) =>
          room.waitFor(isApplication, {
            timeoutMs: 5_000,
            description: `member ${i}'s application after the withdrawal`,
          }),
        ),
      );
      const final = await trialCounts(trial.id);
      // A waiting place is free again: the FULL trial reopens (applicants counts every
      // application ever made, the withdrawn one too).
      expect(final).toEqual({ won: 1, waitlisted: 2, remaining: 0, applicants: 4, status: "OPEN" });
      await countsSettleOn([...rooms, watcher], final);
      // Exactly one message each (counts came after it on the same socket: nothing is late).
      for (const [i, room] of rooms.entries()) {
        expect(applicationsOf(room)).toMatchObject([expected[i] as object]);
      }
      for (const room of [...rooms, watcher]) {
        expect(room.received[0]).toMatchObject({
          trial: { status: "CLOSED", closedReason: "FULL" },
        });
        expect(statusesOf(room)).toEqual([["OPEN", null]]);
      }
      expect(applicationsOf(watcher)).toEqual([]);
    } finally {
      await closeRooms([...rooms, watcher]);
    }
  });
});
