import { entryHash } from "./entry-hash";
import { CHECK_ORDER, type CheckName, entryLabel, type Failure } from "./failures";
import { GENESIS, type HeadPayload, type Material, type PublishedEntry } from "./material";
import { asHead, asReceipt, materialProblems } from "./shapes";
import { verifyJws } from "./signatures";
import { replayStrict, type Tally } from "./strict-ordering";

/**
 * Checks a trial's public fill log, its signed head and (optionally) a member's receipt,
 * from the material alone (fetchMaterial gets it over HTTP; tests hand it in tampered).
 * Every check runs, so one report lists every failure; `firstFailure` is the first in the
 * order of CHECKS.
 */
export interface Verdict {
  passed: boolean;
  firstFailure: Failure | null;
  /** Every failure, in the order of CHECKS. */
  failures: Failure[];
  /** A check that could not run says why (e.g. no receipt given). */
  skipped: Partial<Record<CheckName, string>>;
  summary: Summary;
}

export interface Summary {
  trialId: string;
  entries: number;
  /** The signed head as read (verified or not), and the key that signed it. */
  head: HeadPayload | null;
  headKid: string | null;
  /** Who holds a place after replaying the log (strict trials). */
  tally: Tally | null;
  receipt: ReceiptSummary | null;
}

export interface ReceiptSummary {
  entry: number;
  applicationId: string;
  outcome: string;
  /** The application's latest entry in the log: where it stands now. */
  latest: { n: number; kind: string; outcome: string | null } | null;
}

export async function verifyTrial(material: Material): Promise<Verdict> {
  const failures: Failure[] = [];
  const skipped: Verdict["skipped"] = {};
  const summary: Summary = {
    trialId: material.trialId,
    entries: Array.isArray(material.entries) ? material.entries.length : 0,
    head: null,
    headKid: null,
    tally: null,
    receipt: null,
  };

  const shapeProblems = materialProblems(material);
  for (const message of shapeProblems) failures.push({ check: "format", message });
  if (!Array.isArray(material.entries) || typeof material.head !== "string") {
    return verdictOf(failures, skipped, summary);
  }
  const entries = material.entries;

  const head = await verifyJws(material.head, material.jwks);
  if (head.verified) summary.headKid = head.kid;
  else failures.push({ check: "signature", message: `the head: ${head.reason}` });

  failures.push(...numbering(entries), ...links(entries), ...(await hashes(entries)));

  const headPayload = asHead(head.payload);
  if (typeof headPayload === "string") failures.push({ check: "head", message: headPayload });
  else {
    summary.head = headPayload;
    failures.push(...headMatches(headPayload, material.trialId, entries));
  }

  if (!material.knownHeads?.length) skipped.history = "no earlier head given";
  for (const [i, known] of (material.knownHeads ?? []).entries())
    failures.push(...(await stillHeld(known, i + 1, material, entries)));

  if (shapeProblems.length > 0)
    skipped.ordering = "the material does not have the documented shape";
  else if ((material.trial.ordering ?? "strict") !== "strict")
    skipped.ordering = `this verifier checks strict trials; this one is "${material.trial.ordering}"`;
  else {
    const replay = replayStrict(entries, material.trial);
    summary.tally = replay.tally;
    if (replay.failure) failures.push(replay.failure);
  }

  if (material.receipt === undefined) {
    skipped["receipt-signature"] = "no receipt given";
    skipped.receipt = "no receipt given";
  } else if (typeof material.receipt === "string") {
    const receipt = await verifyJws(material.receipt, material.jwks);
    if (!receipt.verified)
      failures.push({ check: "receipt-signature", message: `the receipt: ${receipt.reason}` });
    const found = receiptInLog(receipt.payload, material.trialId, entries);
    failures.push(...found.failures);
    summary.receipt = found.summary;
  }

  return verdictOf(failures, skipped, summary);
}

function verdictOf(failures: Failure[], skipped: Verdict["skipped"], summary: Summary): Verdict {
  const rank = (f: Failure) => CHECK_ORDER.indexOf(f.check);
  const sorted = failures
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map(({ f }) => f);
  return {
    passed: sorted.length === 0,
    firstFailure: sorted[0] ?? null,
    failures: sorted,
    skipped,
    summary,
  };
}

/** n runs 1, 2, 3, …: each entry is compared with the one before it, so a gap is one failure. */
function numbering(entries: readonly PublishedEntry[]): Failure[] {
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

function links(entries: readonly PublishedEntry[]): Failure[] {
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

async function hashes(entries: readonly PublishedEntry[]): Promise<Failure[]> {
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
function headMatches(
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
async function stillHeld(
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

function receiptInLog(
  payload: unknown,
  trialId: string,
  entries: readonly PublishedEntry[],
): { failures: Failure[]; summary: ReceiptSummary | null } {
  const receipt = asReceipt(payload);
  if (typeof receipt === "string")
    return { failures: [{ check: "receipt", message: receipt }], summary: null };
  const latest = [...entries].reverse().find((e) => e.applicationId === receipt.applicationId);
  const summary: ReceiptSummary = {
    entry: receipt.entry,
    applicationId: receipt.applicationId,
    outcome: receipt.outcome,
    latest: latest ? { n: latest.n, kind: latest.kind, outcome: latest.outcome } : null,
  };
  const fail = (message: string) => ({
    failures: [{ check: "receipt" as const, entry: receipt.entry, message }],
    summary,
  });
  if (receipt.trialId !== trialId)
    return fail(`the receipt is of trial ${receipt.trialId}, not ${trialId}`);
  const entry = entries[receipt.entry - 1];
  if (!entry || entry.n !== receipt.entry)
    return fail(
      `the receipt names entry ${receipt.entry}, which is not in the log (${entries.length} entries)`,
    );
  const expected: [string, unknown, unknown][] = [
    ["hash", receipt.hash, entry.hash],
    ["applicationId", receipt.applicationId, entry.applicationId],
    ["seq", receipt.seq, entry.seq],
    ["memberTag", receipt.memberTag, entry.memberTag],
    ["outcome", receipt.outcome, entry.outcome],
    ["decidedAt", receipt.decidedAt, entry.at],
  ];
  const differ = expected
    .filter(([, mine, logged]) => mine !== logged)
    .map(([field, mine, logged]) => `${field} ${String(mine)} where the log has ${String(logged)}`);
  return differ.length === 0
    ? { failures: [], summary }
    : fail(`the receipt does not match ${entryLabel(entry)}: ${differ.join("; ")}`);
}

const missing = (from: number, to: number) =>
  from === to ? `entry ${from} is missing` : `entries ${from}..${to} are missing`;

const short = (hash: unknown) =>
  typeof hash === "string" ? `${hash.slice(0, 12)}…` : String(hash);
