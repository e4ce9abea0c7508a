import { describe, expect, it } from "vitest";
import type { CheckName } from "../../clients/verifier/failures";
import type { TrialTerms } from "../../clients/verifier/material";
import { verifyTrial } from "../../clients/verifier/verify";
import type { LogEvent } from "../../core/fill-log/chain";
import {
  at,
  chainTimed,
  DRAW_CLOSES,
  drawnWith,
  drawScenario,
  drawTerms,
  fairMaterial,
  newSeed,
  rankHere,
  SHUFFLE_END,
  shuffleScenario,
  shuffleTerms,
  T0,
} from "./verifier-draw-fixtures";
import { newSigner } from "./verifier-fixtures";

/**
 * The verifier on draw and shuffle-at-open trials built here (a fresh seed and commitment
 * per run, the ranking computed with node:crypto in the fixture): the honest logs pass, and
 * each way of drawing wrongly fails naming its check, though every hash and signature holds.
 */
const key = await newSigner("fairness-test-key");
const committed = newSeed();
const { seed } = committed;

const verdictOf = (terms: TrialTerms, events: readonly LogEvent[]) =>
  fairMaterial(key, terms, events).then(verifyTrial);

async function expectFailure(
  terms: TrialTerms,
  events: readonly LogEvent[],
  check: CheckName,
  words: string,
) {
  const verdict = await verifyTrial(await fairMaterial(key, terms, events));
  expect(verdict.passed).toBe(false);
  expect(verdict.firstFailure?.check).toBe(check);
  expect(verdict.firstFailure?.message).toContain(words);
  return verdict;
}

describe("verifier: an honest draw", () => {
  it("passes every check: the seed, the draw in rank order, the promotion after it", async () => {
    const { events, drawn } = drawScenario(seed);
    const verdict = await verdictOf(drawTerms(committed), events);
    expect(verdict.failures).toEqual([]);
    expect(Object.keys(verdict.skipped)).toEqual(["history", "receipt-signature", "receipt"]);
    expect(verdict.summary.draw).toMatchObject({
      ordering: "draw",
      dueAt: DRAW_CLOSES,
      drawnAt: 8,
      entrants: 5,
      won: 2,
      waitlisted: 2,
      notSelected: 1,
    });
    expect(verdict.summary.draw?.logHash).toMatch(/^[0-9a-f]{64}$/);
    expect(verdict.summary.tally).toEqual({
      arrivals: 6,
      won: 2,
      waitlisted: 1,
      cancelled: 2,
      promoted: 1,
    });
    expect(drawn.map((e) => e.outcome)).toEqual([
      "WON",
      "WON",
      "WAITLISTED",
      "WAITLISTED",
      "NOT_SELECTED",
    ]);
  });

  it("passes the same trial before its draw, with the seed still secret, and says it is not drawn yet", async () => {
    const { before } = drawScenario(seed);
    const verdict = await verdictOf(drawTerms({ ...committed, seed: null }), before);
    expect(verdict.failures).toEqual([]);
    expect(verdict.skipped.draw).toBe("not drawn yet (5 entrants PENDING)");
  });

  it("the ranking depends on the log hash: the same draw after a log that differs in one millisecond fails `draw`", async () => {
    const { before, drawn, after } = drawScenario(seed);
    const entrants = drawn.map((e) => e.applicationId as string);
    // Entry 1 a few ms later: another log hash; the first shift that reorders the entrants.
    const shifted = [1, 2, 3, 4, 5, 6, 7, 8]
      .map((ms) => [{ ...(before[0] as LogEvent), at: T0 + ms }, ...before.slice(1)])
      .find((b) => {
        const hash = chainTimed(b).at(-1)?.hash as string;
        return rankHere(seed, hash, entrants).join() !== entrants.join();
      }) as LogEvent[];
    await expectFailure(
      drawTerms(committed),
      [...shifted, ...drawn, ...after],
      "draw",
      "out of rank order",
    );
  });
});

describe("verifier: a draw done wrong", () => {
  it("a revealed seed that is not the committed one fails `seed`", async () => {
    const { events } = drawScenario(seed);
    const other = newSeed().seed;
    const verdict = await expectFailure(
      drawTerms({ ...committed, seed: other }),
      events,
      "seed",
      "not the seed committed to",
    );
    // Ranked with the seed it shows, the draw does not hold either.
    expect(verdict.failures.map((f) => f.check)).toContain("draw");
  });

  it("a draw made with another seed, then that seed's commitment kept, fails `seed` only", async () => {
    const other = newSeed();
    const { events } = drawScenario(other.seed);
    const verdict = await expectFailure(
      drawTerms({ seed: other.seed, seedCommitment: committed.seedCommitment }),
      events,
      "seed",
      "not the seed committed to",
    );
    expect(verdict.failures.map((f) => f.check)).toEqual(["seed"]);
  });

  it("a seedCommitment other than the one kept from before fails `seed`; the kept one passes", async () => {
    const { events } = drawScenario(seed);
    const m = await fairMaterial(key, drawTerms(committed), events);
    const kept = await verifyTrial({ ...m, keptCommitment: committed.seedCommitment });
    expect(kept.failures).toEqual([]);
    // The operator replaced the commitment (and the seed to match it) after it was kept.
    const other = newSeed();
    const swapped = await fairMaterial(key, drawTerms(other), drawScenario(other.seed).events);
    const verdict = await verifyTrial({ ...swapped, keptCommitment: committed.seedCommitment });
    expect(verdict.failures.map((f) => f.check)).toEqual(["seed"]);
    expect(verdict.firstFailure?.message).toContain("not the one kept from before");
  });

  it("DRAWN entries while the seed is still secret fail `seed`", async () => {
    const { events } = drawScenario(seed);
    await expectFailure(drawTerms({ ...committed, seed: null }), events, "seed", "not revealed");
  });

  it("DRAWN entries out of rank order fail `draw`", async () => {
    const { before, drawn, after } = drawScenario(seed);
    // Ranks 1 and 2 swap who they name; each rank keeps its outcome (WON), so only the order is wrong.
    const [r1, r2, ...rest] = drawn as [LogEvent, LogEvent, ...LogEvent[]];
    const swapped = [{ ...r2, outcome: r1.outcome }, { ...r1, outcome: r2.outcome }, ...rest];
    const verdict = await expectFailure(
      drawTerms(committed),
      [...before, ...swapped, ...after],
      "draw",
      "out of rank order: rank 1 of 5",
    );
    expect(verdict.firstFailure?.entry).toBe(8);
  });

  it("a wrong outcome at a rank fails `draw`", async () => {
    const { before, drawn, after } = drawScenario(seed);
    const wrong = drawn.map((e, rank) => (rank === 2 ? { ...e, outcome: "WON" } : e));
    const verdict = await expectFailure(
      drawTerms(committed),
      [...before, ...wrong, ...after],
      "draw",
      "outcome WON at rank 3, but with 2 places and 2 waitlist places rank 3 is WAITLISTED",
    );
    expect(verdict.firstFailure?.entry).toBe(10);
  });

  it("an entrant missing from the draw fails `draw`, and the replay stops there", async () => {
    const { before, drawn, after } = drawScenario(seed);
    const left = drawn.at(-1) as LogEvent;
    const verdict = await expectFailure(
      drawTerms(committed),
      [...before, ...drawn.slice(0, -1), ...after],
      "draw",
      `the draw leaves out application ${left.applicationId} (seq ${left.seq}`,
    );
    expect(verdict.skipped.ordering).toBe("the replay stopped at the draw (entry 11)");
  });

  it("an entrant who withdrew before the draw, drawn anyway, fails `draw`", async () => {
    const { before, drawn, after } = drawScenario(seed);
    const withdrawn = at("DRAWN", 3, "NOT_SELECTED", DRAW_CLOSES + 20);
    await expectFailure(
      drawTerms(committed),
      [...before, ...drawn, withdrawn, ...after],
      "draw",
      "draws an application that left before the draw (WITHDRAWN at entry 7)",
    );
  });

  it("a draw before closesAt fails `draw`", async () => {
    const { before, drawn } = drawScenario(seed);
    const early = drawn.map((e) => ({ ...e, at: DRAW_CLOSES - 1 }));
    await expectFailure(
      drawTerms(committed),
      [...before, ...early],
      "draw",
      "before the draw was due",
    );
  });

  it("a second draw fails `draw`", async () => {
    const { events, drawn } = drawScenario(seed);
    await expectFailure(
      drawTerms(committed),
      [...events, drawn[4] as LogEvent],
      "draw",
      "one draw per trial",
    );
  });

  it("an arrival decided at once instead of PENDING fails `ordering`", async () => {
    const { events } = drawScenario(seed);
    const bad = events.map((e) =>
      e.kind === "APPLIED" && e.seq === 1 ? { ...e, outcome: "WON" } : e,
    );
    const verdict = await expectFailure(
      drawTerms(committed),
      bad,
      "ordering",
      "waits for its rank: PENDING",
    );
    expect(verdict.firstFailure?.entry).toBe(1);
  });

  it("an arrival after the draw fails `ordering`: a draw trial closes", async () => {
    const { events } = drawScenario(seed);
    const late = at("APPLIED", 7, "WAITLISTED", DRAW_CLOSES + 3_000);
    await expectFailure(drawTerms(committed), [...events, late], "ordering", "closes at its draw");
  });

  it("an entry after closesAt but before the draw fails `ordering`", async () => {
    const { before, drawn } = drawScenario(seed);
    const late = at("APPLIED", 7, "PENDING", DRAW_CLOSES);
    await expectFailure(
      drawTerms(committed),
      [...before, late, ...drawn],
      "ordering",
      "after the draw was due",
    );
  });

  it("a promotion after the draw that skips the waitlist's head fails `ordering`", async () => {
    const { before, drawn } = drawScenario(seed);
    const [winner] = drawnWith(drawn, "WON");
    // In rank order: after a draw the waitlist is served by rank, so the head is the first.
    const [head, notHead] = drawnWith(drawn, "WAITLISTED");
    const after = [
      at("WITHDRAWN", winner as number, "CANCELLED", DRAW_CLOSES + 2_000),
      at("PROMOTED", notHead as number, "WON", DRAW_CLOSES + 2_000),
    ];
    await expectFailure(
      drawTerms(committed),
      [...before, ...drawn, ...after],
      "ordering",
      `head of the waitlist is application app-${head}`,
    );
  });
});

describe("verifier: shuffle-at-open", () => {
  it("passes an honest shuffle: PENDING inside the window, the draw at its end, first-come after", async () => {
    const { events } = shuffleScenario(seed);
    const verdict = await verdictOf(shuffleTerms(committed), events);
    expect(verdict.failures).toEqual([]);
    expect(verdict.summary.draw).toMatchObject({
      ordering: "shuffle-at-open",
      dueAt: SHUFFLE_END,
      drawnAt: 6,
      entrants: 3,
      won: 2,
      waitlisted: 1,
      notSelected: 0,
    });
    expect(verdict.summary.tally).toEqual({
      arrivals: 5,
      won: 2,
      waitlisted: 2,
      cancelled: 1,
      promoted: 0,
    });
  });

  it("a window nobody entered has no draw: arrivals after it are first-come", async () => {
    const events = [1, 2, 3].map((i) =>
      at("APPLIED", i, i <= 2 ? "WON" : "WAITLISTED", SHUFFLE_END + i),
    );
    const verdict = await verdictOf(shuffleTerms(committed), events);
    expect(verdict.failures).toEqual([]);
    expect(verdict.skipped.draw).toBe("not drawn yet (0 entrants PENDING)");
  });

  it("an arrival inside the window decided at once fails `ordering`", async () => {
    const { events } = shuffleScenario(seed);
    const bad = events.map((e) =>
      e.kind === "APPLIED" && e.seq === 3 ? { ...e, outcome: "WON" } : e,
    );
    await expectFailure(
      shuffleTerms(committed),
      bad,
      "ordering",
      "outcome WON, but an arrival before the draw",
    );
  });

  it("an arrival after the window still PENDING fails `ordering`", async () => {
    const { before, drawn } = shuffleScenario(seed);
    const late = at("APPLIED", 5, "PENDING", SHUFFLE_END + 1_000);
    await expectFailure(
      shuffleTerms(committed),
      [...before, ...drawn, late],
      "ordering",
      "outcome PENDING",
    );
  });

  it("an arrival after the window decided before the draw fails `ordering`", async () => {
    const { before, drawn } = shuffleScenario(seed);
    const early = at("APPLIED", 5, "WON", SHUFFLE_END);
    await expectFailure(
      shuffleTerms(committed),
      [...before, early, ...drawn],
      "ordering",
      "the entrants still PENDING are drawn before anything else",
    );
  });

  it("an arrival after the draw given a place the draw filled fails `ordering`", async () => {
    const { before, drawn } = shuffleScenario(seed);
    const late = at("APPLIED", 5, "WON", SHUFFLE_END + 1_000);
    await expectFailure(
      shuffleTerms(committed),
      [...before, ...drawn, late],
      "ordering",
      "with 2 of 2 places and 1 of 2 waitlist places held it must be WAITLISTED",
    );
  });
});

describe("verifier: fairness terms of the wrong shape", () => {
  it("an unknown ordering, or a draw without a commitment, fails `format`", async () => {
    const { events } = drawScenario(seed);
    for (const [terms, words] of [
      [{ ...drawTerms(committed), ordering: "lottery" }, 'ordering "lottery"'],
      [{ ...drawTerms(committed), seedCommitment: null }, "seedCommitment"],
      [{ ...shuffleTerms(committed), shuffleSeconds: 0 }, "shuffleSeconds"],
    ] as const) {
      const verdict = await verdictOf(terms, events);
      expect(verdict.firstFailure?.check).toBe("format");
      expect(verdict.firstFailure?.message).toContain(words);
      expect(verdict.skipped.draw).toBeDefined();
    }
  });
});
