import { entryHash } from "./entry-hash";
import { entryLabel, type Failure } from "./failures";
import { GENESIS, type HeadPayload, type Material, type PublishedEntry } from "./material";
import { asHead } from "./shapes";
import { verifyJws } from "./signatures";

/**
 * The checks of the log itself and of the heads that sign it. Each compares an entry with
 * the one before it (never with where it "should" be), so one removed entry is one failure
 * and not a failure for every entry after it.
 */

/** n runs 1, 2, 3, …: each entry is compared with the one before it, so a gap is one failure. */
export function numbering(entries: readonly PublishedEntry[]): Failure[] {
  const out: Failure[] = [];
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    if (!prev) {
      if (e.n !== 1)
        out.push({
          check: "numbering",
          entry: e.n,
          message: `the log starts at entry ${e.n}, not 1`,
        });
      return;
    }
    if (e.n !== prev.n + 1)
      out.push({
        check: "numbering",
        entry: e.n,
        message:
          e.n > prev.n + 1
            ? `${entryLabel(e)} follows entry ${prev.n}: ${missing(prev.n + 1, e.n - 1)}`
            : `${entryLabel(e)} follows entry ${prev.n}: out of order or repeated`,
      });
  });
  return out;
}

export function links(entries: readonly PublishedEntry[]): Failure[] {
  const out: Failure[] = [];
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    const expected = prev ? prev.hash : GENESIS;
    if (e.prevHash !== expected)
      out.push({
        check: "links",
        entry: e.n,
        message: prev
          ? `${entryLabel(e)}: prevHash ${short(e.prevHash)} is not the hash of the entry before it (entry ${prev.n}, ${short(prev.hash)})`
          : `${entryLabel(e)}: the first entry's prevHash is ${short(e.prevHash)}, not 64 zeros`,
      });
  });
  return out;
}

export async function hashes(entries: readonly PublishedEntry[]): Promise<Failure[]> {
  const out: Failure[] = [];
  for (const e of entries) {
    const recomputed = await entryHash(e);
    if (recomputed !== e.hash)
      out.push({
        check: "hashes",
        entry: e.n,
        message: `${entryLabel(e)}: its fields hash to ${short(recomputed)}, but it says ${short(e.hash)} (a field was changed after it was chained)`,
      });
  }
  return out;
}

/**
 * The signed head must name this trial and an entry of this log. The log may have grown
 * after the head was read (a live trial), so the head is matched to its own entry n; the
 * entries after it are checked like the rest but are not yet covered by a signature.
 */
export function headMatches(
  head: HeadPayload,
  trialId: string,
  entries: readonly PublishedEntry[],
): Failure[] {
  const fail = (message: string): Failure[] => [{ check: "head", entry: head.n, message }];
  if (head.trialId !== trialId) return fail(`the head is of trial ${head.trialId}, not ${trialId}`);
  if (head.n === 0)
    return head.hash === GENESIS
      ? []
      : fail(`the head signs an empty log, but with hash ${short(head.hash)} instead of 64 zeros`);
  const entry = entries[head.n - 1];
  if (!entry || entry.n !== head.n)
    return fail(
      `the head signs entry ${head.n}, but the log has no entry ${head.n} in its place (${entries.length} entries)`,
    );
  if (entry.hash !== head.hash)
    return fail(
      `the head signs entry ${head.n} with hash ${short(head.hash)}, but the log's entry ${head.n} has ${short(entry.hash)}`,
    );
  return [];
}

/**
 * An earlier head must still be in the log: the entry it names, with the hash it signed.
 * The log's own links tie every later entry to it, so a log that passes `links` and holds
 * the old head extends it; one that does not was rewritten after that head was published.
 */
export async function stillHeld(
  jws: string,
  ordinal: number,
  material: Material,
  entries: readonly PublishedEntry[],
): Promise<Failure[]> {
  const label = `known head ${ordinal}`;
  const fail = (message: string, entry?: number): Failure[] => [
    {
      check: "history",
      ...(entry === undefined ? {} : { entry }),
      message: `${label}: ${message}`,
    },
  ];
  const signed = await verifyJws(jws, material.jwks);
  if (!signed.verified) return fail(signed.reason);
  const head = asHead(signed.payload);
  if (typeof head === "string") return fail(head);
  if (head.trialId !== material.trialId) return fail(`it is of trial ${head.trialId}`);
  if (head.n === 0) return [];
  const entry = entries[head.n - 1];
  if (!entry || entry.n !== head.n)
    return fail(`it signed entry ${head.n}, which this log no longer has in its place`, head.n);
  if (entry.hash !== head.hash)
    return fail(
      `it signed entry ${head.n} with hash ${short(head.hash)}, but the log now has ${short(entry.hash)}: the log was rewritten after that head was published`,
      head.n,
    );
  return [];
}

const missing = (from: number, to: number) =>
  from === to ? `entry ${from} is missing` : `entries ${from}..${to} are missing`;

const short = (hash: unknown) =>
  typeof hash === "string" ? `${hash.slice(0, 12)}…` : String(hash);
