import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { admit, nextTransitionAt, snapshotOf, trialStatus } from "../../core/first-come/decide";
import { configureTerms } from "../../core/first-come/decide-terms";
import { withdraw } from "../../core/first-come/decide-withdrawal";
import { draw, drawDue, rankKeyOf } from "../../core/first-come/draw";
import { outcomeOfRow } from "../../core/first-come/events";
import type { Application, GateState, TrialTerms } from "../../core/first-come/types";

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const WINDOW_END = T0 + 10_000;

function configured(terms: TrialTerms): GateState {
  const decision = configureTerms(null, terms, T0 - 1);
  if (decision.kind !== "configured") throw new Error("not configured");
  return decision.next;
}

const shuffle = (slots: number, waitlistSize: number) =>
  configured({
    trialId: "t",
    slots,
    waitlistSize,
    opensAt: T0,
    closesAt: T0 + 3_600_000,
    ordering: "shuffle-at-open",
    shuffleSeconds: 10,
  });

function applyAll(state: GateState, users: string[], now: number) {
  const apps: Application[] = [];
  for (const userId of users) {
    const d = admit(state, { userId, note: null, now, applicationId: `app-${userId}` });
    if (d.kind !== "admitted") throw new Error(d.code);
    state = d.next;
    apps.push(d.application);
  }
  return { state, apps };
}

/** The ranking as an outsider computes it from API.md, with another HMAC implementation. */
function outsiderRanking(seed: string, logHash: string, ids: string[]): string[] {
  const key = (id: string) =>
    createHmac("sha256", seed + logHash)
      .update(id)
      .digest("hex");
  return [...ids].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe("the draw's ranking", () => {
  it("is HMAC-SHA256(seed + logHash, application id), as node:crypto computes it", () => {
    const seed = "ab".repeat(32);
    const logHash = "cd".repeat(32);
    expect(rankKeyOf(seed, logHash, "app-1")).toBe(
      createHmac("sha256", seed + logHash)
        .update("app-1")
        .digest("hex"),
    );
  });

  it("decides by rank: the first slots WON, the next waitlist places WAITLISTED, the rest NOT_SELECTED", () => {
    const users = Array.from({ length: 12 }, (_, i) => `u${i}`);
    const { state, apps } = applyAll(shuffle(3, 4), users, T0 + 5);
    expect(apps.every((a) => a.status === "PENDING" && a.position === null)).toBe(true);
    expect(apps.map((a) => a.seq)).toEqual(users.map((_, i) => i + 1));
    expect(state).toMatchObject({ won: 0, waitlisted: 0, pending: 12 });

    expect(drawDue(state, WINDOW_END - 1)).toBe(false);
    expect(drawDue(state, WINDOW_END)).toBe(true);
    const { next, drawn } = draw(state, apps, WINDOW_END);
    const expected = outsiderRanking(
      state.seed as string,
      state.log.hash,
      apps.map((a) => a.id),
    );
    expect(drawn.map((a) => a.id)).toEqual(expected);
    expect(drawn.map((a) => a.status)).toEqual([
      ...Array(3).fill("WON"),
      ...Array(4).fill("WAITLISTED"),
      ...Array(5).fill("NOT_SELECTED"),
    ]);
    expect(drawn.slice(3, 7).map((a) => a.position)).toEqual([1, 2, 3, 4]);
    expect(next).toMatchObject({ won: 3, waitlisted: 4, pending: 0, drawnAt: WINDOW_END });
    // Drawn first decisions are announced as such, not as promotions.
    expect(drawn.map(outcomeOfRow).slice(0, 3)).toEqual(["WON", "WON", "WON"]);
    expect(drawDue(next, WINDOW_END + 1)).toBe(false);
  });

  it("publishes the seed only once drawn, and its commitment from configure on", () => {
    const state = shuffle(1, 0);
    const seed = state.seed as string;
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    const before = snapshotOf(state, T0 + 1);
    expect(before.seed).toBeNull();
    expect(before.seedCommitment).toBe(createHash("sha256").update(seed).digest("hex"));
    const after = snapshotOf(draw(state, [], WINDOW_END).next, WINDOW_END);
    expect(after.seed).toBe(seed);
  });

  it("ranks the rest of a draw made in parts exactly as one whole draw", () => {
    const users = Array.from({ length: 9 }, (_, i) => `u${i}`);
    const { state, apps } = applyAll(shuffle(2, 3), users, T0 + 5);
    const whole = draw(state, apps, WINDOW_END).drawn;
    const first = draw(state, apps, WINDOW_END, 4);
    expect(first.next.drawnAt).toBeNull();
    // The later part runs after the first part's entries moved the log's head.
    const moved = { ...first.next, log: { n: 99, hash: "ef".repeat(32) } };
    const rest = apps.filter((a) => !first.drawn.some((d) => d.id === a.id));
    const second = draw(moved, rest, WINDOW_END + 1);
    expect(second.next.drawnAt).toBe(WINDOW_END + 1);
    expect([...first.drawn, ...second.drawn].map((a) => [a.id, a.status])).toEqual(
      whole.map((a) => [a.id, a.status]),
    );
  });
});

describe("admission around the window", () => {
  it("admits any number PENDING inside the window, then strictly after the draw", () => {
    const { state, apps } = applyAll(shuffle(1, 1), ["a", "b", "c"], T0 + 1);
    expect(apps.map((a) => a.status)).toEqual(["PENDING", "PENDING", "PENDING"]);
    expect(trialStatus(state, T0 + 1).status).toBe("OPEN");
    expect(nextTransitionAt(state, T0 + 1)).toBe(WINDOW_END);
    // No decision against an owed draw: a late arrival must not overtake the entrants.
    expect(() =>
      admit(state, { userId: "late", note: null, now: WINDOW_END, applicationId: "x" }),
    ).toThrow(/draw/);
    const { next } = draw(state, apps, WINDOW_END);
    const late = admit(next, {
      userId: "late",
      note: null,
      now: WINDOW_END + 1,
      applicationId: "x",
    });
    expect(late).toMatchObject({ kind: "refused", code: "TRIAL_CLOSED" });
  });

  it("decides late arrivals first-come while places remain", () => {
    const { state, apps } = applyAll(shuffle(3, 1), ["a"], T0 + 1);
    const { next } = draw(state, apps, WINDOW_END);
    const later = applyAll(next, ["b", "c", "d"], WINDOW_END + 1);
    expect(later.apps.map((a) => [a.status, a.seq])).toEqual([
      ["WON", 2],
      ["WON", 3],
      ["WAITLISTED", 4],
    ]);
    const full = admit(later.state, {
      userId: "e",
      note: null,
      now: WINDOW_END + 2,
      applicationId: "e",
    });
    expect(full).toMatchObject({ kind: "refused", code: "TRIAL_CLOSED" });
  });

  it("keeps a draw trial PENDING until closesAt, then closes it FULL or ENDED", () => {
    const drawTrial = configured({
      trialId: "d",
      slots: 1,
      waitlistSize: 0,
      opensAt: T0,
      closesAt: T0 + 60_000,
      ordering: "draw",
    });
    const { state, apps } = applyAll(drawTrial, ["a", "b"], T0 + 30_000);
    expect(apps.map((a) => a.status)).toEqual(["PENDING", "PENDING"]);
    expect(nextTransitionAt(state, T0 + 30_000)).toBe(T0 + 60_000);
    const { next } = draw(state, apps, T0 + 60_000);
    expect(trialStatus(next, T0 + 60_000)).toEqual({ status: "CLOSED", closedReason: "FULL" });
    const empty = draw(drawTrial, [], T0 + 60_000).next;
    expect(trialStatus(empty, T0 + 60_000)).toEqual({ status: "CLOSED", closedReason: "ENDED" });
  });
});

describe("withdrawal while PENDING", () => {
  it("cancels the application, which then takes no part in the draw", () => {
    const { state, apps } = applyAll(shuffle(1, 0), ["a", "b"], T0 + 1);
    const [a, b] = apps as [Application, Application];
    const decision = withdraw(state, a, null, T0 + 2);
    if (decision.kind !== "withdrawn") throw new Error(decision.kind);
    expect(decision.cancelled).toMatchObject({ status: "CANCELLED", version: 2 });
    expect(decision.promoted).toBeNull();
    expect(decision.next).toMatchObject({ pending: 1, cancelled: 1, won: 0 });
    const { drawn } = draw(decision.next, [decision.cancelled, b], WINDOW_END);
    expect(drawn.map((x) => [x.id, x.status])).toEqual([[b.id, "WON"]]);
  });
});

describe("promotions after a draw", () => {
  it("are read as PROMOTED from the row, drawn first decisions as WON", () => {
    const { state, apps } = applyAll(shuffle(1, 1), ["a", "b"], T0 + 1);
    const { next, drawn } = draw(state, apps, WINDOW_END);
    const [winner, waiting] = drawn as [Application, Application];
    const decision = withdraw(next, winner, waiting, WINDOW_END + 1);
    if (decision.kind !== "withdrawn" || !decision.promoted) throw new Error("no promotion");
    expect(outcomeOfRow(decision.promoted)).toBe("PROMOTED");
    expect(outcomeOfRow(winner)).toBe("WON");
  });
});
