import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF, retryAfterDelay } from "../../clients/backoff";
import { isFinalStatus, parseServerFrame } from "../../clients/live-frames";

/**
 * The live room's client (clients/): when it tries again, and how it reads frames. Pure, no
 * server; the socket behaviour is in trial-room-client.node.test.ts.
 */
describe("backoff", () => {
  const policy = { initialMs: 100, maxMs: 1_000, factor: 2 };

  it("doubles from the first wait up to the cap, jitter taking at most half of each step", () => {
    const lowest = [0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, policy, () => 0));
    const highest = [0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, policy, () => 0.999_999));
    expect(lowest).toEqual([50, 100, 200, 400, 500, 500, 500]);
    expect(highest).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it("spreads a crowd: 1,000 clients dropped together do not come back together", () => {
    const waits = Array.from({ length: 1_000 }, () => backoffDelay(3, policy));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(400);
    expect(Math.max(...waits)).toBeLessThanOrEqual(800);
    expect(new Set(waits).size).toBeGreaterThan(200);
  });

  it("defaults to a quarter of a second first, never more than 15 s", () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0.999_999)).toBe(250);
    expect(backoffDelay(50, DEFAULT_BACKOFF, () => 0.999_999)).toBe(15_000);
  });

  it("honours Retry-After in seconds or as a date, adding at most 20%", () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(retryAfterDelay("5", now, () => 0)).toBe(5_000);
    expect(retryAfterDelay("5", now, () => 0.999_999)).toBe(6_000);
    expect(retryAfterDelay("Tue, 01 Jan 2030 00:00:03 GMT", now, () => 0)).toBe(3_000);
    expect(retryAfterDelay("Mon, 31 Dec 2029 00:00:00 GMT", now, () => 0)).toBe(0);
  });

  it("has no opinion without a readable Retry-After (the caller backs off)", () => {
    for (const header of [null, undefined, "", "soon", "-3"]) {
      expect(retryAfterDelay(header)).toBeNull();
    }
  });
});

describe("reading the room's frames", () => {
  const at = "2030-01-01T00:00:00.000Z";
  const application = {
    id: "a1",
    trialId: "t1",
    userId: "u1",
    seq: 1,
    status: "WON",
    position: null,
  };
  const trial = {
    id: "t1",
    status: "OPEN",
    closedReason: null,
    won: 0,
    waitlisted: 0,
    remaining: 3,
    applicants: 0,
  };

  it("types each message the room sends", () => {
    const frames = [
      { type: "hello", serverTime: at, trial, application: null },
      { type: "status", status: "CLOSED", closedReason: "FULL", at },
      { type: "counts", won: 3, waitlisted: 2, remaining: 0, applicants: 5, status: "CLOSED", at },
      { type: "application", application },
    ];
    for (const frame of frames) {
      expect(parseServerFrame(JSON.stringify(frame))).toEqual({ kind: "message", message: frame });
    }
  });

  it("reads a hello without `application` as having none", () => {
    const frame = parseServerFrame(JSON.stringify({ type: "hello", serverTime: at, trial }));
    expect(frame).toEqual({
      kind: "message",
      message: { type: "hello", serverTime: at, trial, application: null },
    });
  });

  it("knows the pong", () => {
    expect(parseServerFrame('{"type":"pong"}')).toEqual({ kind: "pong" });
  });

  it("ignores, and says why, what is not a message it knows", () => {
    const cases: Array<[unknown, string]> = [
      [new Uint8Array([1, 2]), "binary frame: the room sends text"],
      ["{not json", "not JSON"],
      ["[1,2]", "not an object with a type"],
      ['{"type":"confetti"}', "unknown type confetti"],
      ['{"type":"toString"}', "unknown type toString"],
      [
        JSON.stringify({
          type: "counts",
          won: 1,
          waitlisted: 0,
          remaining: "2",
          applicants: 1,
          status: "OPEN",
          at,
        }),
        "counts without its four counts, status and at",
      ],
      [
        JSON.stringify({ type: "status", status: "PAUSED", closedReason: null, at }),
        "status without status, closedReason and at",
      ],
      [JSON.stringify({ type: "hello", serverTime: at }), "hello without a trial and its status"],
      [
        JSON.stringify({ type: "application", application: { id: 1 } }),
        "application without an application",
      ],
    ];
    for (const [data, reason] of cases) {
      expect(parseServerFrame(data)).toEqual({ kind: "ignored", reason });
    }
  });

  it("tells a final status (cancelled, ended) from one that may still change (full can reopen)", () => {
    const status = (s: string, closedReason: string | null) =>
      ({ type: "status", status: s, closedReason, at }) as const;
    expect(isFinalStatus(status("CANCELLED", null) as never)).toBe(true);
    expect(isFinalStatus(status("CLOSED", "ENDED") as never)).toBe(true);
    expect(isFinalStatus(status("CLOSED", "FULL") as never)).toBe(false);
    expect(isFinalStatus(status("OPEN", null) as never)).toBe(false);
  });
});
