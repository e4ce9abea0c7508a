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
}

/**
 * Replays a strict (first-come) log from nothing and checks every entry against the rules
 * the gate decides by (core/first-come, restated from API.md and not imported):
 * - APPLIED is the next arrival (seq 1, 2, 3, …), once per application and per member; it
 *   is WON while fewer than `slots` hold a place, else WAITLISTED while the waitlist has
 *   room, and no arrival is logged beyond that;
 * - WITHDRAWN and RELEASED take a current holder out (outcome CANCELLED);
 * - a WON place given up while someone waits goes, in the very next entry, to the head of
 *   the waitlist (the lowest seq still waiting) by a PROMOTED entry with outcome WON, and a
 *   PROMOTED entry happens only then.
 * The replay stops at the first entry that breaks a rule: every later rule depends on the
 * state before it, so what follows would only repeat the same break.
 */
export function replayStrict(
  entries: readonly PublishedEntry[],
  terms: TrialTerms,
): { failure: Failure | null; tally: Tally } {
  const tally: Tally = { arrivals: 0, won: 0, waitlisted: 0, cancelled: 0, promoted: 0 };
  const holders = new Map<string, Holder>();
  const arrived = new Map<string, { seq: number; memberTag: string | null }>();
  const tags = new Set<string>();
  /** The entry that freed a WON place while someone waited, until PROMOTED fills it. */
  let freedBy: PublishedEntry | null = null;

  const waitlistHead = (): [string, Holder] | undefined => {
    let head: [string, Holder] | undefined;
    for (const pair of holders)
      if (pair[1].status === "WAITLISTED" && (!head || pair[1].seq < head[1].seq)) head = pair;
    return head;
  };

  for (const e of entries) {
    const fail = (message: string) => ({
      failure: { check: "ordering" as const, entry: e.n, message: `${entryLabel(e)}: ${message}` },
      tally,
    });
    const id = e.applicationId ?? "";
    if (freedBy && e.kind !== "PROMOTED")
      return fail(
        `${e.kind} comes after entry ${freedBy.n} gave up a WON place while members were ` +
          "waiting, but that place was not given to the head of the waitlist first",
      );

    if (e.kind === "APPLIED") {
      if (arrived.has(id)) return fail("a second APPLIED for the same application");
      if (e.memberTag !== null && tags.has(e.memberTag))
        return fail(`member ${e.memberTag} applied before: one application per member`);
      if (e.seq !== tally.arrivals + 1)
        return fail(`seq ${e.seq} but this is arrival ${tally.arrivals + 1} (seq 1, 2, 3, …)`);
      const expected =
        tally.won < terms.slots
          ? "WON"
          : tally.waitlisted < terms.waitlistSize
            ? "WAITLISTED"
            : null;
      if (expected === null)
        return fail(
          `an arrival after all ${terms.slots} places and ${terms.waitlistSize} waitlist ` +
            `places were held (outcome ${e.outcome})`,
        );
      if (e.outcome !== expected)
        return fail(
          `outcome ${e.outcome}, but with ${tally.won} of ${terms.slots} places and ` +
            `${tally.waitlisted} of ${terms.waitlistSize} waitlist places held it must be ${expected}`,
        );
      tally.arrivals += 1;
      tally[expected === "WON" ? "won" : "waitlisted"] += 1;
      arrived.set(id, { seq: e.seq, memberTag: e.memberTag });
      if (e.memberTag !== null) tags.add(e.memberTag);
      holders.set(id, { seq: e.seq, memberTag: e.memberTag, status: expected });
      continue;
    }

    if (!LATER_KINDS.has(e.kind))
      return fail(
        `kind ${e.kind} has no place in a strict trial (APPLIED, WITHDRAWN, RELEASED, PROMOTED)`,
      );
    const before = arrived.get(id);
    if (!before) return fail(`${e.kind} for an application that never APPLIED`);
    if (e.seq !== before.seq || e.memberTag !== before.memberTag)
      return fail(
        `seq ${e.seq} and member ${e.memberTag} differ from its APPLIED entry ` +
          `(seq ${before.seq}, member ${before.memberTag})`,
      );

    if (e.kind === "WITHDRAWN" || e.kind === "RELEASED") {
      const holder = holders.get(id);
      if (!holder) return fail(`${e.kind} for an application that holds no place`);
      if (e.outcome !== "CANCELLED")
        return fail(`${e.kind} with outcome ${e.outcome}, not CANCELLED`);
      holders.delete(id);
      tally.cancelled += 1;
      if (holder.status === "WAITLISTED") {
        tally.waitlisted -= 1;
        continue;
      }
      tally.won -= 1;
      if (tally.waitlisted > 0) freedBy = e;
      continue;
    }

    // PROMOTED: a freed WON place goes to the head of the waitlist.
    if (!freedBy)
      return fail("PROMOTED without a WON place given up just before (WITHDRAWN or RELEASED)");
    const head = waitlistHead();
    if (!head || head[0] !== id) {
      const holder = holders.get(id);
      const where = holder?.status === "WAITLISTED" ? `seq ${holder.seq}` : "not waiting";
      return fail(
        `promotes ${where}, but the head of the waitlist is ` +
          `${head ? `application ${head[0]} (seq ${head[1].seq})` : "empty"}`,
      );
    }
    if (e.outcome !== "WON") return fail(`PROMOTED with outcome ${e.outcome}, not WON`);
    head[1].status = "WON";
    tally.waitlisted -= 1;
    tally.won += 1;
    tally.promoted += 1;
    freedBy = null;
  }

  if (freedBy) {
    const last = freedBy;
    return {
      failure: {
        check: "ordering",
        entry: last.n,
        message: `${entryLabel(last)}: gave up a WON place while members were waiting, and the log ends without promoting the head of the waitlist`,
      },
      tally,
    };
  }
  return { failure: null, tally };
}
