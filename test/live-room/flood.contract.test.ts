import { describe, expect, it } from "vitest";
import type { ApplicationJson } from "../../core/wire/application";
import { type ApiResponse, api, baseUrls, errorCode } from "../support/contract/client";
import { createTrial, createUser, createUsers } from "../support/contract/fixtures";
import {
  applicationsOf,
  closeRooms,
  countsSettleOn,
  isStatus,
  serverAt,
  statusesOf,
  ticketFor,
  trialCounts,
  watch,
  watchMany,
} from "../support/contract/live-room";

/**
 * The live room through an opening flood, with real sockets: 1,000 public watchers and 100
 * ticketed members watch a trial open and fill up while 220 members apply at once. On the
 * Deno target sockets and applications alternate between its two servers, so every message
 * about a decision taken by one process must reach sockets held by the other.
 */

const WATCHERS = 1000;
const APPLICANTS = 220;
const SLOTS = 50;
const WAITLIST = 100;

const apply = (trialId: string, token: string, server: number) =>
  api("POST", `/v1/trials/${trialId}/applications`, { token, body: {}, server });

const decision = (a: ApplicationJson) => ({
  id: a.id,
  seq: a.seq,
  status: a.status,
  position: a.position,
});

describe("the live room through an opening flood", () => {
  it("tells 1,000 watchers the final counts and each of 100 ticketed members their own decision, as HTTP answered it", async () => {
    const company = await createUser("COMPANY");
    // Opens only once every socket is in (PATCH below): then the OPEN status is news to all.
    const trial = await createTrial(company, {
      slots: SLOTS,
      waitlistSize: WAITLIST,
      opensAt: new Date(Date.now() + 10 * 60_000),
    });
    const members = await createUsers("MEMBER", APPLICANTS);
    // Two of every four of the first 200 hold a ticket, one applying through each server
    // (the flood alternates them): each server answers roughly in the order it is sent, and
    // one server may take most places before the other, so either way the ticketed meet all
    // three outcomes (WON, WAITLISTED, refused).
    const ticketed = members.filter((_, i) => i < 200 && i % 4 < 2);
    expect(ticketed).toHaveLength(100);

    const watchers = await watchMany(WATCHERS, (i) => watch(trial.id, { server: serverAt(i) }));
    const memberRooms = await watchMany(ticketed.length, async (i) => {
      const member = ticketed[i] as (typeof ticketed)[number];
      // Member j applies through server j % 2; their socket sits on server ⌊j / 2⌋ % 2, so
      // on Deno half the decisions reach their member from the other process.
      const server = serverAt(Math.floor(i / 2));
      return watch(trial.id, { server, ticket: await ticketFor(trial.id, member.token, server) });
    });
    const rooms = [...watchers, ...memberRooms];
    try {
      for (const room of rooms) {
        expect(room.received[0]).toMatchObject({ type: "hello", trial: { status: "SCHEDULED" } });
      }
      for (const room of memberRooms) {
        expect(room.received[0]).toMatchObject({ type: "hello", application: null });
      }

      const opened = await api("PATCH", `/v1/trials/${trial.id}`, {
        token: company.token,
        body: { opensAt: new Date(Date.now() + 1500).toISOString() },
      });
      expect(opened.status).toBe(200);
      await Promise.all(
        rooms.map((room) =>
          room.waitFor((m) => isStatus(m) && m.status === "OPEN", {
            timeoutMs: 15_000,
            description: "the OPEN status",
          }),
        ),
      );

      // All 220 in flight before the first answer is read, alternating servers.
      const answers = await Promise.all(
        members.map((m, i) => apply(trial.id, m.token, serverAt(i))),
      );
      const created = answers.filter((r) => r.status === 201);
      const refused = answers.filter((r) => r.status !== 201);
      expect(created.filter((r) => r.body.status === "WON")).toHaveLength(SLOTS);
      expect(created.filter((r) => r.body.status === "WAITLISTED")).toHaveLength(WAITLIST);
      expect(refused).toHaveLength(APPLICANTS - SLOTS - WAITLIST);
      for (const r of refused) {
        expect(r.status).toBe(409);
        expect(errorCode(r)).toBe("TRIAL_CLOSED");
      }

      const final = await trialCounts(trial.id);
      expect(final).toEqual({
        won: SLOTS,
        waitlisted: WAITLIST,
        remaining: 0,
        applicants: SLOTS + WAITLIST,
        status: "CLOSED",
      });
      // The room always sends counts after the last change: every socket ends on the final ones.
      await countsSettleOn(rooms, final);
      // And they carry the refused demand (the company console's), every refusal counted.
      await Promise.all(
        rooms.map((room) =>
          room.waitFor((m) => m.type === "counts" && m.rejected === refused.length, {
            timeoutMs: 10_000,
            description: `counts with rejected ${refused.length}`,
          }),
        ),
      );

      for (const room of rooms) {
        expect(room.received[0]?.type).toBe("hello");
        expect(room.connections).toBe(1);
        expect(statusesOf(room)).toEqual([
          ["OPEN", null],
          ["CLOSED", "FULL"],
        ]);
      }
      for (const room of watchers) expect(applicationsOf(room)).toEqual([]);

      // Each ticketed member: exactly their HTTP answer, once; nothing for a refusal. Their
      // decision was sent before the counts that followed it, on the same socket, so the
      // settled counts above mean every decision message has arrived.
      const answerOf = new Map<string, ApiResponse>(members.map((m, i) => [m.id, answers[i]!]));
      const outcomes = new Set<string>();
      for (const [i, member] of ticketed.entries()) {
        const answer = answerOf.get(member.id) as ApiResponse;
        const told = applicationsOf(memberRooms[i]!).map(decision);
        if (answer.status === 201) {
          expect(told).toEqual([decision(answer.body)]);
          outcomes.add(answer.body.status);
        } else {
          expect(told).toEqual([]);
          outcomes.add("refused");
        }
      }
      expect([...outcomes].sort()).toEqual(["WAITLISTED", "WON", "refused"]);
    } finally {
      await closeRooms(rooms);
    }
    // Sockets on every server took part (two on Deno).
    expect(new Set(rooms.map((r) => r.url.split("/v1/")[0])).size).toBe(baseUrls.length);
  });
});
