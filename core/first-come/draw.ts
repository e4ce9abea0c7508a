import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { withConfirmWindow } from "./confirmation";
import type { Application, GateState, Ordering } from "./types";

/**
 * The fairness modes' draw (API.md "Receipts and the public fill log"). Pure and synchronous
 * (@noble/hashes, like the log's chain): the Durable Object draws inside one
 * transactionSync, so no await may sit between reading the entrants and writing the result.
 */

export function orderingOf(state: Pick<GateState, "ordering">): Ordering {
  return state.ordering ?? "strict";
}

/** `shuffleSeconds` goes with shuffle-at-open, and only with it (PATCH checks the merge). */
export function shuffleSecondsProblem(
  ordering: string,
  shuffleSeconds: number | null | undefined,
): string | null {
  const given = shuffleSeconds !== undefined && shuffleSeconds !== null;
  if (ordering === "shuffle-at-open" && !given) return "is required with ordering shuffle-at-open";
  if (ordering !== "shuffle-at-open" && given)
    return "is allowed only with ordering shuffle-at-open";
  return null;
}

/** The draw window must end by closesAt: a draw after the trial closed would admit nobody. */
export function shuffleWindowFits(t: {
  ordering: string;
  shuffleSeconds?: number | null | undefined;
  opensAt: number;
  closesAt: number;
}): boolean {
  return (
    t.ordering !== "shuffle-at-open" || t.opensAt + (t.shuffleSeconds ?? 0) * 1000 <= t.closesAt
  );
}

/** When the draw happens: the shuffle window's end, closesAt for a draw, never for strict. */
export function drawAt(state: GateState): number | null {
  switch (orderingOf(state)) {
    case "strict":
      return null;
    case "shuffle-at-open":
      return state.opensAt + (state.shuffleSeconds ?? 0) * 1000;
    case "draw":
      return state.closesAt;
  }
}

/** Applications arriving now wait for their rank (PENDING). */
export function inDrawWindow(state: GateState, now: number): boolean {
  const at = drawAt(state);
  return at !== null && !state.drawnAt && now < at;
}

/** The draw is owed: its time came and it was not made (a cancelled trial draws nothing). */
export function drawDue(state: GateState, now: number): boolean {
  const at = drawAt(state);
  return at !== null && !state.drawnAt && state.cancelledAt === null && now >= at;
}

/**
 * No draw can be owed now or later: the trial drew, was cancelled, or is strict and open (its
 * ordering can change only while SCHEDULED). A gate may then skip looking for one; the
 * decisions stay safe without that look, because admit refuses to decide against a due draw.
 */
export function drawSettled(state: GateState, now: number): boolean {
  if (state.drawnAt || state.cancelledAt !== null) return true;
  return drawAt(state) === null && now >= state.opensAt;
}

/** A new seed: 32 random bytes as lowercase hex; its text is what is committed and keyed. */
export function newSeed(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

export function seedCommitmentOf(seed: string): string {
  return bytesToHex(sha256(utf8ToBytes(seed)));
}

/**
 * An entrant's rank key: HMAC-SHA256 with key = UTF-8 of seed + logHash (the log's head at
 * the window's end, so nobody, the gate included, knew the ranking before the last entrant
 * arrived) and message = the application id. Ascending lowercase hex ranks first.
 */
export function rankKeyOf(seed: string, logHash: string, applicationId: string): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(seed + logHash), utf8ToBytes(applicationId)));
}

export interface DrawDecision {
  /** drawnAt is set once the last entrant is decided; until then the draw is in progress. */
  next: GateState;
  /** The entrants decided now, in rank order: the order of their DRAWN entries. */
  drawn: Application[];
}

/**
 * Draw the entrants still PENDING: the first free places WON, the next free waitlist places
 * WAITLISTED, the rest NOT_SELECTED. `limit` decides only the first entrants by rank, for a
 * store that must commit a large draw in parts (Deno KV): the log hash the ranking is keyed
 * with is kept in the state from the first part (drawLogHash), so the later parts rank the
 * rest exactly as one whole draw would, although their own entries moved the log's head.
 *
 * Each drawn application's version grows by two, so a WON row keeps an odd version exactly
 * when it was a first decision (events.ts outcomeOfRow: a promotion adds one to a
 * WAITLISTED row).
 */
export function draw(
  state: GateState,
  entrants: readonly Application[],
  now: number,
  limit = Number.POSITIVE_INFINITY,
): DrawDecision {
  if (!state.seed) throw new Error(`trial ${state.trialId}: a draw without a seed`);
  const seed = state.seed;
  const logHash = state.drawLogHash ?? state.log.hash;
  const ranked = entrants
    .filter((a) => a.status === "PENDING")
    .map((a) => ({ a, key: rankKeyOf(seed, logHash, a.id) }))
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const part = ranked.slice(0, limit);
  let won = state.won;
  let waitlisted = state.waitlisted;
  const drawn = part.map(({ a, key }): Application => {
    const base = { ...a, decidedAt: now, version: a.version + 2, drawRank: key };
    if (won < state.slots) {
      won += 1;
      return withConfirmWindow(state, { ...base, status: "WON", position: null }, now);
    }
    if (waitlisted < state.waitlistSize) {
      waitlisted += 1;
      return { ...base, status: "WAITLISTED", position: waitlisted };
    }
    return { ...base, status: "NOT_SELECTED", position: null };
  });
  const done = part.length === ranked.length;
  const full = won + waitlisted >= state.slots + state.waitlistSize;
  const next: GateState = {
    ...state,
    won,
    waitlisted,
    pending: ranked.length - part.length,
    drawLogHash: logHash,
    drawnAt: done ? now : null,
    filledAt: full && state.filledAt === null ? now : state.filledAt,
  };
  return { next, drawn };
}
