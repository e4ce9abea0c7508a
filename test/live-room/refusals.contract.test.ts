import { describe, expect, inject, it } from "vitest";
import { TrialRoomError } from "../../clients/trial-room";
import { api, baseUrls, errorCode } from "../support/contract/client";
import { createTrial, createUser } from "../support/contract/fixtures";
import {
  closeRooms,
  expiredTicket,
  refusedUpgrade,
  ticketFor,
  watch,
  watchMany,
} from "../support/contract/live-room";

/**
 * Every refusal of the live room happens before the upgrade, as an ordinary HTTP answer in
 * the API's error shape (API.md, "Live trial room"): a client learns why it was not let in.
 */

const UNKNOWN_TRIAL = "00000000-0000-4000-8000-000000000000";
/** The suite's cap on one room's sockets (per trial; per isolate and trial on Deno). */
const MAX_WATCHERS = Number(inject("targetVars").LIVE_MAX_WATCHERS);
/** Another server when there is one (Deno): a ticket spent on one is spent on all. */
const OTHER_SERVER = 1 % baseUrls.length;

const retryAfterSeconds = (header: string | null) => {
  expect(header).toMatch(/^\d+$/);
  return Number(header);
};

describe("the live room's refusals before the upgrade", () => {
  it("answers 404 TRIAL_NOT_FOUND for a trial that does not exist", async () => {
    expect(await refusedUpgrade(UNKNOWN_TRIAL)).toMatchObject({
      status: 404,
      code: "TRIAL_NOT_FOUND",
    });
  });

  it("answers 426 UPGRADE_REQUIRED to a plain GET", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const res = await api("GET", `/v1/trials/${trial.id}/live`);
    expect(res.status).toBe(426);
    expect(errorCode(res)).toBe("UPGRADE_REQUIRED");
  });

  it("answers 401 INVALID_LIVE_TICKET to a forged, an expired and another trial's ticket", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const other = await createTrial(company);
    const member = await createUser("MEMBER");
    const tickets = {
      forged: `${(await ticketFor(trial.id, member.token)).slice(0, -4)}AAAA`,
      garbage: "not-a-ticket",
      expired: await expiredTicket(trial.id, member.id),
      otherTrial: await ticketFor(other.id, member.token),
    };
    for (const [kind, ticket] of Object.entries(tickets)) {
      expect(await refusedUpgrade(trial.id, { ticket }), kind).toMatchObject({
        status: 401,
        code: "INVALID_LIVE_TICKET",
      });
    }
  });

  it("lets a ticket open one socket only: reused, on any server and after its socket closed, it is refused 401", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    const ticket = await ticketFor(trial.id, member.token);
    const first = await watch(trial.id, { ticket });
    expect(await refusedUpgrade(trial.id, { ticket, server: OTHER_SERVER })).toMatchObject({
      status: 401,
      code: "INVALID_LIVE_TICKET",
    });
    await closeRooms([first]);
    expect(await refusedUpgrade(trial.id, { ticket })).toMatchObject({
      status: 401,
      code: "INVALID_LIVE_TICKET",
    });
  });

  // Filling a room opens LIVE_MAX_WATCHERS sockets through wrangler dev's proxy: allowed
  // longer than the suite's default, since it shares 2 CPUs with every other file.
  it("answers 503 LIVE_ROOM_FULL with Retry-After once a room holds its most sockets, and lets in again when one leaves", {
    timeout: 240_000,
  }, async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    // All on the first server: on Deno the cap is counted per isolate.
    const rooms = await watchMany(MAX_WATCHERS, () => watch(trial.id));
    try {
      const full = await refusedUpgrade(trial.id);
      expect(full).toMatchObject({ status: 503, code: "LIVE_ROOM_FULL" });
      expect(retryAfterSeconds(full.retryAfter)).toBeGreaterThan(0);
      // A ticket does not jump the queue, and is not spent by the refusal.
      const ticket = await ticketFor(trial.id, member.token);
      expect(await refusedUpgrade(trial.id, { ticket })).toMatchObject({
        status: 503,
        code: "LIVE_ROOM_FULL",
      });

      await closeRooms(rooms.splice(0, 1));
      // The room counts the socket gone once its close arrives there: retried, bounded.
      rooms.push(await openWhenRoom(trial.id, ticket));
    } finally {
      await closeRooms(rooms);
    }
  });

  it("answers 429 RATE_LIMITED with Retry-After to a member's sixth socket on one trial", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    const rooms = await Promise.all(
      Array.from({ length: 5 }, async () =>
        watch(trial.id, { ticket: await ticketFor(trial.id, member.token) }),
      ),
    );
    try {
      const sixth = await refusedUpgrade(trial.id, {
        ticket: await ticketFor(trial.id, member.token),
      });
      expect(sixth).toMatchObject({ status: 429, code: "RATE_LIMITED" });
      expect(retryAfterSeconds(sixth.retryAfter)).toBeGreaterThan(0);
      // The cap is the member's, not the room's: a public watcher still gets in.
      rooms.push(await watch(trial.id));
    } finally {
      await closeRooms(rooms);
    }
  });

  it("issues tickets only to the signed-in, for trials that exist", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");

    const anonymous = await api("POST", `/v1/trials/${trial.id}/live-tickets`);
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe("UNAUTHORIZED");

    const unknown = await api("POST", `/v1/trials/${UNKNOWN_TRIAL}/live-tickets`, {
      token: member.token,
    });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe("TRIAL_NOT_FOUND");

    const issued = await api("POST", `/v1/trials/${trial.id}/live-tickets`, {
      token: member.token,
    });
    expect(issued.status).toBe(201);
    expect(issued.body).toEqual({ ticket: expect.any(String), expiresAt: expect.any(String) });
    const ttl = Date.parse(issued.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
  });
});

/**
 * Opens a room with `ticket` once the room has room again: a full room is refused without
 * spending the ticket, so the same one may try again (every 50 ms, for 5 s at most).
 */
async function openWhenRoom(trialId: string, ticket: string) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const room = await watch(trialId, { ticket }).catch((err: TrialRoomError) => err);
    if (!(room instanceof TrialRoomError)) return room;
    if (room.end?.refusal?.status !== 503) throw room;
    if (Date.now() > deadline) throw new Error(`the room never let anyone in again: ${room}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
