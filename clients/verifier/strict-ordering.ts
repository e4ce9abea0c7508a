import { entryLabel, type Failure } from "./failures";
import type { PublishedEntry, TrialTerms } from "./material";

/** How the replay leaves the trial: who holds a place, and how they got there. */
export interface Tally {
  arrivals: number;
  won: number;
  waitlisted: number;
  cancelled: number;
  promoted: number;
}

/** What may happen to an application after it APPLIED, in a strict trial. */
const LATER_KINDS = new Set(["WITHDRAWN", "RELEASED", "PROMOTED"]);

interface Holder {
  seq: number;
  memberTag: string | null;
  status: "WON" | "WAITLISTED";
  /**
   * Where a drawn holder stands in the waitlist: its place in the draw's rank order. Drawn
   * holders wait ahead of every later arrival, in rank order; the rest wait in seq order.
   */
  drawOrder: number | null;
}

/**
 * The strict (first-come) rules the gate decides by (core/first-come, restated from API.md
 * and not imported), one entry at a time:
 * - APPLIED is the next arrival (seq 1, 2, 3, …), once per application and per member; it
 *   is WON while fewer than `slots` hold a place, else WAITLISTED while the waitlist has
 *   room, and no arrival is logged beyond that;
 * - WITHDRAWN and RELEASED take a current holder out (outcome CANCELLED);
 * - a WON place given up while someone waits goes, in the very next entry, to the head of
 *   the waitlist (drawn holders in rank order, then the lowest seq still waiting) by a PROMOTED entry with outcome WON, and a
 *   PROMOTED entry happens only then.
 * A fairness-mode replay (fair-ordering.ts) seats the drawn holders with `seat` and hands
 * every entry after the draw to `step`, so the rules after a draw are these same rules.
 */
export class StrictReplay {
  readonly tally: Tally = { arrivals: 0, won: 0, waitlisted: 0, cancelled: 0, promoted: 0 };
  private readonly holders = new Map<string, Holder>();
  /** Every application that arrived, with its seq and tag: later entries must repeat them. */
  readonly arrived = new Map<string, { seq: number; memberTag: string | null }>();
  private readonly tags = new Set<string>();
  /** The entry that freed a WON place while someone waited, until PROMOTED fills it. */
  private freedBy: PublishedEntry | null = null;

  constructor(
    private readonly terms: TrialTerms,
    /** Where the rule list names its mode ("a strict trial"). */
    private readonly mode = "a strict trial",
  ) {}

  /** Records an arrival that the replay did not decide (a fairness mode's entrant). */
  arrive(id: string, seq: number, memberTag: string | null): void {
    this.tally.arrivals = Math.max(this.tally.arrivals, seq);
    this.arrived.set(id, { seq, memberTag });
    if (memberTag !== null) this.tags.add(memberTag);
  }

  /** Gives an arrived application a place it won elsewhere (a draw, at rank `drawOrder`). */
  seat(id: string, status: Holder["status"], drawOrder: number | null = null): void {
    const a = this.arrived.get(id);
    if (!a) return;
    this.holders.set(id, { ...a, status, drawOrder });
    this.tally[status === "WON" ? "won" : "waitlisted"] += 1;
  }

  /** Checks one entry against the rules and applies it; the failure's message, or null. */
  step(e: PublishedEntry): string | null {
    const tally = this.tally;
    const id = e.applicationId ?? "";
    if (this.freedBy && e.kind !== "PROMOTED")
      return (
        `${e.kind} comes after entry ${this.freedBy.n} gave up a WON place while members were ` +
        "waiting, but that place was not given to the head of the waitlist first"
      );

    if (e.kind === "APPLIED") {
      if (this.arrived.has(id)) return "a second APPLIED for the same application";
      if (e.memberTag !== null && this.tags.has(e.memberTag))
        return `member ${e.memberTag} applied before: one application per member`;
      if (e.seq !== tally.arrivals + 1)
        return `seq ${e.seq} but this is arrival ${tally.arrivals + 1} (seq 1, 2, 3, …)`;
      const { slots, waitlistSize } = this.terms;
      const expected =
        tally.won < slots ? "WON" : tally.waitlisted < waitlistSize ? "WAITLISTED" : null;
      if (expected === null)
        return (
          `an arrival after all ${slots} places and ${waitlistSize} waitlist ` +
          `places were held (outcome ${e.outcome})`
        );
      if (e.outcome !== expected)
        return (
          `outcome ${e.outcome}, but with ${tally.won} of ${slots} places and ` +
          `${tally.waitlisted} of ${waitlistSize} waitlist places held it must be ${expected}`
        );
      this.arrive(id, e.seq, e.memberTag);
      this.seat(id, expected);
      return null;
    }

    if (!LATER_KINDS.has(e.kind))
      return `kind ${e.kind} has no place in ${this.mode} (APPLIED, WITHDRAWN, RELEASED, PROMOTED)`;
    const before = this.arrived.get(id);
    if (!before) return `${e.kind} for an application that never APPLIED`;
    if (e.seq !== before.seq || e.memberTag !== before.memberTag)
      return (
        `seq ${e.seq} and member ${e.memberTag} differ from its APPLIED entry ` +
        `(seq ${before.seq}, member ${before.memberTag})`
      );

    if (e.kind === "WITHDRAWN" || e.kind === "RELEASED") {
      const holder = this.holders.get(id);
      if (!holder) return `${e.kind} for an application that holds no place`;
      if (e.outcome !== "CANCELLED") return `${e.kind} with outcome ${e.outcome}, not CANCELLED`;
      this.holders.delete(id);
      tally.cancelled += 1;
      if (holder.status === "WAITLISTED") {
        tally.waitlisted -= 1;
        return null;
      }
      tally.won -= 1;
      if (tally.waitlisted > 0) this.freedBy = e;
      return null;
    }

    // PROMOTED: a freed WON place goes to the head of the waitlist.
    if (!this.freedBy)
      return "PROMOTED without a WON place given up just before (WITHDRAWN or RELEASED)";
    const head = this.waitlistHead();
    if (!head || head[0] !== id) {
      const holder = this.holders.get(id);
      const where = holder?.status === "WAITLISTED" ? `seq ${holder.seq}` : "not waiting";
      return (
        `promotes ${where}, but the head of the waitlist is ` +
        `${head ? `application ${head[0]} (seq ${head[1].seq})` : "empty"}`
      );
    }
    if (e.outcome !== "WON") return `PROMOTED with outcome ${e.outcome}, not WON`;
    head[1].status = "WON";
    tally.waitlisted -= 1;
    tally.won += 1;
    tally.promoted += 1;
    this.freedBy = null;
    return null;
  }

  /** At the end of the log: a freed place must not be left unfilled while someone waits. */
  end(): Failure | null {
    const last = this.freedBy;
    if (!last) return null;
    return {
      check: "ordering",
      entry: last.n,
      message: `${entryLabel(last)}: gave up a WON place while members were waiting, and the log ends without promoting the head of the waitlist`,
    };
  }

  private waitlistHead(): [string, Holder] | undefined {
    let head: [string, Holder] | undefined;
    for (const pair of this.holders)
      if (pair[1].status === "WAITLISTED" && (!head || waitsAhead(pair[1], head[1]))) head = pair;
    return head;
  }
}

/** The waitlist's order: drawn holders first, by rank; then everyone else, by seq. */
function waitsAhead(a: Holder, b: Holder): boolean {
  if (a.drawOrder !== null && b.drawOrder !== null) return a.drawOrder < b.drawOrder;
  if (a.drawOrder !== null || b.drawOrder !== null) return a.drawOrder !== null;
  return a.seq < b.seq;
}

/** An entry's failure, named as every message names an entry. */
export const orderingFailure = (e: PublishedEntry, message: string): Failure => ({
  check: "ordering",
  entry: e.n,
  message: `${entryLabel(e)}: ${message}`,
});

/**
 * Replays a strict (first-come) log from nothing. The replay stops at the first entry that
 * breaks a rule: every later rule depends on the state before it, so what follows would
 * only repeat the same break.
 */
export function replayStrict(
  entries: readonly PublishedEntry[],
  terms: TrialTerms,
): { failure: Failure | null; tally: Tally } {
  const replay = new StrictReplay(terms);
  for (const e of entries) {
    const broken = replay.step(e);
    if (broken) return { failure: orderingFailure(e, broken), tally: replay.tally };
  }
  return { failure: replay.end(), tally: replay.tally };
}
