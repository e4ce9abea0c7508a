import { rankEntrants } from "./draw-rank";
import { entryLabel, type Failure } from "./failures";
import { GENESIS, type PublishedEntry, type TrialTerms } from "./material";
import { orderingFailure, StrictReplay, type Tally } from "./strict-ordering";

/** What the replay found of the draw (shown by the CLI, and by tests). */
export interface DrawSummary {
  ordering: string;
  /** When the draw was due: the shuffle window's end, or closesAt (epoch ms). */
  dueAt: number;
  /** The first DRAWN entry, or null while nothing is drawn. */
  drawnAt: number | null;
  /** The hash the ranking is keyed with: the entry just before the first DRAWN one. */
  logHash: string | null;
  /** Entrants waiting for their rank (before the draw), or ranked by it (after). */
  entrants: number;
  won: number;
  waitlisted: number;
  notSelected: number;
}

const TIME = (ms: number) => new Date(ms).toISOString();

/**
 * Replays a shuffle-at-open or a draw trial (API.md "Receipts and the public fill log"):
 * - before the draw, every arrival inside the window ([opensAt, opensAt + shuffleSeconds s)
 *   for a shuffle, [opensAt, closesAt) for a draw) is APPLIED with outcome PENDING and the
 *   next arrival seq; a PENDING entrant may leave (WITHDRAWN or RELEASED, CANCELLED); nothing
 *   else happens, and nothing at or after the draw was due comes before the draw;
 * - the draw (check `draw`): at or after it was due, one DRAWN entry per entrant still
 *   PENDING, in ascending HMAC rank (draw-rank.ts) keyed with the revealed seed and the hash
 *   of the entry just before the first DRAWN one; WON for the first `slots`, WAITLISTED for
 *   the next `waitlistSize`, NOT_SELECTED for the rest; each with its APPLIED seq and tag;
 * - after it, the strict rules (strict-ordering.ts) with the drawn holders seated: later
 *   arrivals first-come for the places left (a shuffle; a draw trial takes no more), the
 *   waitlist's head (the best-ranked drawn member still waiting, then the earliest later
 *   arrival) promoted into a freed place. A shuffle window nobody entered (or all
 *   left) has no draw: its trial is strict from the window's end.
 * Like the strict replay it stops at the first entry that breaks a rule.
 */
export async function replayFair(
  entries: readonly PublishedEntry[],
  terms: TrialTerms,
): Promise<{ failure: Failure | null; tally: Tally; draw: DrawSummary }> {
  const mode = terms.ordering ?? "strict";
  const opensAt = Date.parse(terms.opensAt ?? "");
  const dueAt =
    mode === "draw"
      ? Date.parse(terms.closesAt ?? "")
      : opensAt + (terms.shuffleSeconds ?? 0) * 1000;
  const strict = new StrictReplay(terms, `a ${mode} trial after its draw`);
  const draw: DrawSummary = {
    ordering: mode,
    dueAt,
    drawnAt: null,
    logHash: null,
    entrants: 0,
    won: 0,
    waitlisted: 0,
    notSelected: 0,
  };
  const done = (failure: Failure | null) => ({ failure, tally: strict.tally, draw });

  /** Entrants still PENDING, in arrival order; and those who left before the draw. */
  const pending = new Map<string, PublishedEntry>();
  const left = new Map<string, PublishedEntry>();
  let i = 0;
  for (; i < entries.length; i++) {
    const e = entries[i] as PublishedEntry;
    if (e.kind === "DRAWN") break;
    if (e.at >= dueAt) {
      if (pending.size > 0 || mode === "draw")
        return done(
          orderingFailure(
            e,
            `${e.kind} at ${TIME(e.at)}, after the draw was due at ${TIME(dueAt)} but before it: ` +
              (mode === "draw"
                ? "a draw trial takes nothing after closesAt, and draws first"
                : "the entrants still PENDING are drawn before anything else"),
          ),
        );
      break; // A shuffle with nobody to draw: strict from here.
    }
    const broken = beforeTheDraw(e, strict, pending, left, opensAt);
    if (broken) return done(orderingFailure(e, broken));
  }
  draw.entrants = pending.size;

  if (i < entries.length && entries[i]?.kind === "DRAWN") {
    const first = entries[i] as PublishedEntry;
    draw.drawnAt = first.n;
    draw.logHash = entries[i - 1]?.hash ?? GENESIS;
    if (typeof terms.seed !== "string")
      return done(drawFailure(first, "cannot be checked: the trial has not revealed its seed"));
    const ranked = await rankEntrants(terms.seed, draw.logHash, [...pending.keys()]);
    let run = 0;
    while (entries[i + run]?.kind === "DRAWN") run++;
    const drawn = entries.slice(i, i + run);
    const broken = checkDrawn(drawn, ranked, { pending, left, strict, terms, dueAt });
    if (broken) return done(broken);
    for (const [rank, r] of ranked.entries()) {
      const outcome = outcomeAt(rank, terms);
      if (outcome === "NOT_SELECTED") draw.notSelected++;
      else {
        draw[outcome === "WON" ? "won" : "waitlisted"]++;
        strict.seat(r.applicationId, outcome, rank);
      }
    }
    i += run;
  }

  for (; i < entries.length; i++) {
    const e = entries[i] as PublishedEntry;
    if (e.kind === "DRAWN")
      return done(
        drawFailure(
          e,
          draw.drawnAt === null
            ? "a DRAWN entry after the shuffle window ended with nobody PENDING: there was nothing to draw"
            : `a DRAWN entry after the draw of entries ${draw.drawnAt}..${draw.drawnAt + draw.entrants - 1}: one draw per trial`,
        ),
      );
    if (mode === "draw" && e.kind === "APPLIED")
      return done(orderingFailure(e, "an arrival after the draw: a draw trial closes at its draw"));
    const broken = strict.step(e);
    if (broken) return done(orderingFailure(e, broken));
  }
  return done(strict.end());
}

/** One entry before the draw: an arrival PENDING inside the window, or a PENDING one leaving. */
function beforeTheDraw(
  e: PublishedEntry,
  strict: StrictReplay,
  pending: Map<string, PublishedEntry>,
  left: Map<string, PublishedEntry>,
  opensAt: number,
): string | null {
  const id = e.applicationId ?? "";
  if (e.kind === "APPLIED") {
    if (e.at < opensAt)
      return `arrived at ${TIME(e.at)}, before the trial opened at ${TIME(opensAt)}`;
    if (strict.arrived.has(id)) return "a second APPLIED for the same application";
    const tagTaken = [...strict.arrived.values()].some((a) => a.memberTag === e.memberTag);
    if (e.memberTag !== null && tagTaken)
      return `member ${e.memberTag} applied before: one application per member`;
    const next = strict.tally.arrivals + 1;
    if (e.seq !== next) return `seq ${e.seq} but this is arrival ${next} (seq 1, 2, 3, …)`;
    if (e.outcome !== "PENDING")
      return `outcome ${e.outcome}, but an arrival before the draw waits for its rank: PENDING`;
    strict.arrive(id, e.seq, e.memberTag);
    pending.set(id, e);
    return null;
  }
  if (e.kind === "WITHDRAWN" || e.kind === "RELEASED") {
    const applied = pending.get(id);
    if (!applied)
      return strict.arrived.has(id)
        ? `${e.kind} for an application that already left the draw`
        : `${e.kind} for an application that never APPLIED`;
    if (e.seq !== applied.seq || e.memberTag !== applied.memberTag)
      return `seq ${e.seq} and member ${e.memberTag} differ from its APPLIED entry (seq ${applied.seq}, member ${applied.memberTag})`;
    if (e.outcome !== "CANCELLED") return `${e.kind} with outcome ${e.outcome}, not CANCELLED`;
    pending.delete(id);
    left.set(id, e);
    strict.tally.cancelled += 1;
    return null;
  }
  return `kind ${e.kind} before the draw: only arrivals (PENDING) and withdrawals happen until then`;
}

const outcomeAt = (rank: number, terms: TrialTerms) =>
  rank < terms.slots
    ? "WON"
    : rank < terms.slots + terms.waitlistSize
      ? "WAITLISTED"
      : "NOT_SELECTED";

const drawFailure = (e: PublishedEntry, message: string): Failure => ({
  check: "draw",
  entry: e.n,
  message: `${entryLabel(e)}: ${message}`,
});

/**
 * The run of DRAWN entries against the ranking: each names an entrant still PENDING (not
 * one who left, never arrived or is drawn twice); none is missing; they come in rank order;
 * each has its rank's outcome and its APPLIED seq and tag; and none is drawn before due.
 */
function checkDrawn(
  drawn: readonly PublishedEntry[],
  ranked: readonly { applicationId: string; rank: string }[],
  ctx: {
    pending: Map<string, PublishedEntry>;
    left: Map<string, PublishedEntry>;
    strict: StrictReplay;
    terms: TrialTerms;
    dueAt: number;
  },
): Failure | null {
  const seen = new Set<string>();
  for (const e of drawn) {
    const id = e.applicationId ?? "";
    if (e.at < ctx.dueAt)
      return drawFailure(
        e,
        `drawn at ${TIME(e.at)}, before the draw was due at ${TIME(ctx.dueAt)}`,
      );
    const gone = ctx.left.get(id);
    if (gone)
      return drawFailure(
        e,
        `draws an application that left before the draw (${gone.kind} at entry ${gone.n}): only entrants still PENDING are drawn`,
      );
    if (!ctx.pending.has(id))
      return drawFailure(
        e,
        ctx.strict.arrived.has(id)
          ? "draws an application that is not PENDING"
          : "draws an application that never APPLIED",
      );
    if (seen.has(id)) return drawFailure(e, "draws the same application a second time");
    seen.add(id);
  }
  const missing = [...ctx.pending.values()].find((a) => !seen.has(a.applicationId ?? ""));
  if (missing) {
    const at = drawn.at(-1) as PublishedEntry;
    return drawFailure(
      at,
      `the draw leaves out application ${missing.applicationId} (seq ${missing.seq}, APPLIED at entry ${missing.n}), an entrant still PENDING: every entrant is drawn`,
    );
  }
  for (const [rank, e] of drawn.entries()) {
    const expected = ranked[rank] as { applicationId: string; rank: string };
    if (e.applicationId !== expected.applicationId) {
      const its = ranked.findIndex((r) => r.applicationId === e.applicationId);
      return drawFailure(
        e,
        `out of rank order: rank ${rank + 1} of ${ranked.length} is application ${expected.applicationId} (HMAC ${expected.rank.slice(0, 12)}…), but this entry draws one of rank ${its + 1}`,
      );
    }
    const outcome = outcomeAt(rank, ctx.terms);
    if (e.outcome !== outcome)
      return drawFailure(
        e,
        `outcome ${e.outcome} at rank ${rank + 1}, but with ${ctx.terms.slots} places and ${ctx.terms.waitlistSize} waitlist places rank ${rank + 1} is ${outcome}`,
      );
    const applied = ctx.pending.get(expected.applicationId) as PublishedEntry;
    if (e.seq !== applied.seq || e.memberTag !== applied.memberTag)
      return drawFailure(
        e,
        `seq ${e.seq} and member ${e.memberTag} differ from its APPLIED entry (seq ${applied.seq}, member ${applied.memberTag})`,
      );
  }
  return null;
}
