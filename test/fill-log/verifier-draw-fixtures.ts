import { createHash, createHmac, randomBytes } from "node:crypto";
import type { Material, TrialTerms } from "../../clients/verifier/material";
import { appendToLog, EMPTY_LOG, type LogEntry, type LogEvent } from "../../core/fill-log/chain";
import { appId, headOf, jwksOf, type Signer, TRIAL_ID, tagOf } from "./verifier-fixtures";

/**
 * Draw and shuffle-at-open trials built in the test: a seed and its commitment made here, the
 * entries chained by core/fill-log/chain.ts, and the ranking computed here with node:crypto
 * (the verifier computes it with WebCrypto on its own), so a test's log is drawn the way
 * API.md says independently of both the gate and the verifier.
 */

/** The first entry's time; entries follow a second apart unless told otherwise. */
export const T0 = 1_900_000_000_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function newSeed(): { seed: string; seedCommitment: string } {
  const seed = randomBytes(32).toString("hex");
  return { seed, seedCommitment: createHash("sha256").update(seed, "utf8").digest("hex") };
}

/** Application ids in ascending HMAC rank (API.md), by node:crypto. */
export function rankHere(seed: string, logHash: string, ids: readonly string[]): string[] {
  const rank = (id: string) =>
    createHmac("sha256", seed + logHash)
      .update(id)
      .digest("hex");
  return [...ids].sort((a, b) => (rank(a) < rank(b) ? -1 : 1));
}

const member = (i: number) => ({ seq: i, applicationId: appId(i), memberTag: tagOf(i) });
export const at = (kind: LogEvent["kind"], i: number, outcome: string, ms: number): LogEvent => ({
  kind,
  ...member(i),
  outcome,
  at: ms,
});

/** The events as chained (their own `at`). */
export const chainTimed = (events: readonly LogEvent[]): LogEntry[] =>
  appendToLog(EMPTY_LOG, events).entries;

/**
 * Draws the entrants `ids` (member numbers) after `before`: DRAWN events in rank order with
 * the outcome of each rank, at `when`.
 */
function drawEvents(
  before: readonly LogEvent[],
  entrants: readonly number[],
  seed: string,
  terms: { slots: number; waitlistSize: number },
  when: number,
): LogEvent[] {
  const logHash = chainTimed(before).at(-1)?.hash ?? "0".repeat(64);
  const byId = new Map(entrants.map((i) => [appId(i), i]));
  return rankHere(seed, logHash, [...byId.keys()]).map((id, rank) =>
    at(
      "DRAWN",
      byId.get(id) as number,
      rank < terms.slots
        ? "WON"
        : rank < terms.slots + terms.waitlistSize
          ? "WAITLISTED"
          : "NOT_SELECTED",
      when,
    ),
  );
}

/** The member numbers of DRAWN events with `outcome`, in rank order. */
export const drawnWith = (events: readonly LogEvent[], outcome: string): number[] =>
  events.filter((e) => e.kind === "DRAWN" && e.outcome === outcome).map((e) => e.seq as number);

/**
 * A draw trial of 2 places and 2 waitlist places, open [T0 - 1 s, T0 + 6.5 s): members 1–6
 * apply (PENDING), member 3 withdraws; at closesAt the 5 entrants are drawn (2 WON,
 * 2 WAITLISTED, 1 NOT_SELECTED); then the first winner withdraws and the waitlist's head
 * (the best-ranked drawn member still waiting) is promoted.
 */
const DRAW_TERMS = { slots: 2, waitlistSize: 2 };
export const DRAW_CLOSES = T0 + 6_500;

export function drawScenario(seed: string) {
  const before = [
    ...[1, 2, 3, 4, 5, 6].map((i) => at("APPLIED", i, "PENDING", T0 + (i - 1) * 1_000)),
    at("WITHDRAWN", 3, "CANCELLED", T0 + 6_000),
  ];
  const drawn = drawEvents(before, [1, 2, 4, 5, 6], seed, DRAW_TERMS, DRAW_CLOSES + 20);
  const [firstWinner] = drawnWith(drawn, "WON");
  const [head] = drawnWith(drawn, "WAITLISTED");
  const after = [
    at("WITHDRAWN", firstWinner as number, "CANCELLED", DRAW_CLOSES + 2_000),
    at("PROMOTED", head as number, "WON", DRAW_CLOSES + 2_000),
  ];
  return { before, drawn, after, events: [...before, ...drawn, ...after] };
}

export function drawTerms(commitment: { seed: string | null; seedCommitment: string }): TrialTerms {
  return {
    ...DRAW_TERMS,
    ordering: "draw",
    shuffleSeconds: null,
    opensAt: iso(T0 - 1_000),
    closesAt: iso(DRAW_CLOSES),
    ...commitment,
  };
}

/**
 * A shuffle-at-open trial of 2 places and 2 waitlist places with a 5-second window from
 * T0: members 1–4 arrive inside it (PENDING), member 2 leaves; at the window's end the 3
 * entrants are drawn (2 WON, 1 WAITLISTED); members 5 and 6 then arrive first-come (the
 * last waitlist place, then nothing: member 6 is refused and not logged, so 5 is the last).
 */
const SHUFFLE_TERMS = { slots: 2, waitlistSize: 2 };
export const SHUFFLE_END = T0 + 5_000;

export function shuffleScenario(seed: string) {
  const before = [
    ...[1, 2, 3, 4].map((i) => at("APPLIED", i, "PENDING", T0 + (i - 1) * 1_000)),
    at("WITHDRAWN", 2, "CANCELLED", T0 + 4_500),
  ];
  const drawn = drawEvents(before, [1, 3, 4], seed, SHUFFLE_TERMS, SHUFFLE_END + 5);
  const after = [at("APPLIED", 5, "WAITLISTED", SHUFFLE_END + 1_000)];
  return { before, drawn, after, events: [...before, ...drawn, ...after] };
}

export function shuffleTerms(commitment: {
  seed: string | null;
  seedCommitment: string;
}): TrialTerms {
  return {
    ...SHUFFLE_TERMS,
    ordering: "shuffle-at-open",
    shuffleSeconds: 5,
    opensAt: iso(T0),
    closesAt: iso(T0 + 3_600_000),
    ...commitment,
  };
}

/** Material around the events, with a head honestly signed over them. */
export async function fairMaterial(
  key: Signer,
  terms: TrialTerms,
  events: readonly LogEvent[],
): Promise<Material> {
  const entries = chainTimed(events);
  return {
    trialId: TRIAL_ID,
    jwks: jwksOf(key),
    trial: terms,
    entries,
    head: await key.sign(headOf(entries, "CLOSED")),
  };
}
