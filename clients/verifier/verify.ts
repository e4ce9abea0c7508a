import { CHECK_ORDER, type CheckName, type Failure } from "./failures";
import { type DrawSummary, replayFair } from "./fair-ordering";
import { hashes, headMatches, links, numbering, stillHeld } from "./log-checks";
import type { HeadPayload, Material } from "./material";
import { type ReceiptSummary, receiptInLog } from "./receipt-check";
import { seedCheck } from "./seed-check";
import { asHead, materialProblems } from "./shapes";
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
  /** Who holds a place after replaying the log. */
  tally: Tally | null;
  /** The draw, for a shuffle-at-open or draw trial, and the commitment to keep. */
  draw: DrawSummary | null;
  seedCommitment: string | null;
  receipt: ReceiptSummary | null;
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
    draw: null,
    seedCommitment: null,
    receipt: null,
  };

  const shapeProblems = materialProblems(material);
  for (const message of shapeProblems) failures.push({ check: "format", message });
  const readable = (e: unknown) => typeof e === "object" && e !== null;
  if (
    !Array.isArray(material.entries) ||
    !material.entries.every(readable) ||
    typeof material.head !== "string"
  ) {
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

  if (shapeProblems.length > 0) {
    const why = "the material does not have the documented shape";
    Object.assign(skipped, { seed: why, draw: why, ordering: why });
  } else if ((material.trial.ordering ?? "strict") === "strict") {
    if (material.keptCommitment === undefined) skipped.seed = "a strict trial has no seed";
    else
      failures.push({
        check: "seed",
        message:
          "a seedCommitment was kept from before, but the trial now shows strict ordering and none",
      });
    skipped.draw = "a strict trial draws nothing";
    const replay = replayStrict(entries, material.trial);
    summary.tally = replay.tally;
    if (replay.failure) failures.push(replay.failure);
  } else {
    summary.seedCommitment = material.trial.seedCommitment ?? null;
    failures.push(...(await seedCheck(material.trial, entries, material.keptCommitment)));
    const replay = await replayFair(entries, material.trial);
    summary.tally = replay.tally;
    summary.draw = replay.draw;
    if (replay.failure) failures.push(replay.failure);
    if (replay.failure?.check === "draw")
      skipped.ordering = `the replay stopped at the draw (entry ${replay.failure.entry})`;
    if (replay.draw.drawnAt === null && replay.failure?.check !== "draw")
      skipped.draw = replay.failure
        ? "the replay stopped before the draw"
        : `not drawn yet (${replay.draw.entrants} entrants PENDING)`;
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
