import {
  type HeadPayload,
  type Material,
  ORDERINGS,
  type ReceiptPayload,
  type TrialTerms,
} from "./material";

/**
 * The documented shapes, checked before anything is trusted: each function returns what is
 * wrong (empty when nothing is), naming the field.
 */

const HEX64 = /^[0-9a-f]{64}$/;
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isNullableString = (v: unknown) => v === null || typeof v === "string";

function entryProblems(e: unknown, index: number): string[] {
  if (typeof e !== "object" || e === null) return [`item ${index + 1} of the log is not an object`];
  const x = e as Record<string, unknown>;
  const at = `entry ${isInt(x.n) ? x.n : `at position ${index + 1}`}`;
  const wrong: string[] = [];
  if (!isInt(x.n) || x.n < 1) wrong.push(`${at}: n is not a positive integer`);
  if (typeof x.kind !== "string") wrong.push(`${at}: kind is not a string`);
  if (x.seq !== null && !isInt(x.seq)) wrong.push(`${at}: seq is not an integer`);
  for (const field of ["applicationId", "memberTag", "outcome"])
    if (!isNullableString(x[field])) wrong.push(`${at}: ${field} is not a string`);
  if (!isInt(x.at)) wrong.push(`${at}: at is not epoch milliseconds`);
  for (const field of ["prevHash", "hash"])
    if (typeof x[field] !== "string" || !HEX64.test(x[field] as string))
      wrong.push(`${at}: ${field} is not 64 lowercase hex digits`);
  return wrong;
}

export function materialProblems(m: Material): string[] {
  const wrong: string[] = [];
  if (!Array.isArray(m.jwks?.keys)) wrong.push("the JWKS has no keys array");
  const { slots, waitlistSize } = m.trial ?? {};
  if (!isInt(slots) || slots < 0) wrong.push("the trial's slots is not a whole number");
  if (!isInt(waitlistSize) || waitlistSize < 0)
    wrong.push("the trial's waitlistSize is not a whole number");
  wrong.push(...fairnessTermsProblems(m.trial));
  if (typeof m.head !== "string") wrong.push("the head is not a compact JWS");
  if (m.receipt !== undefined && typeof m.receipt !== "string")
    wrong.push("the receipt is not a compact JWS");
  if (m.keptCommitment !== undefined && !HEX64.test(m.keptCommitment))
    wrong.push("the kept seedCommitment is not 64 lowercase hex digits");
  if (m.knownHeads !== undefined && !m.knownHeads.every((h) => typeof h === "string"))
    wrong.push("a known head is not a compact JWS");
  if (!Array.isArray(m.entries)) wrong.push("the log is not a list of entries");
  else for (const [i, e] of m.entries.entries()) wrong.push(...entryProblems(e, i));
  return wrong;
}

/** A shuffle or a draw needs its window's times and a seed commitment to be checked at all. */
function fairnessTermsProblems(trial: TrialTerms | undefined): string[] {
  const ordering = trial?.ordering ?? "strict";
  if (!(ORDERINGS as readonly string[]).includes(ordering))
    return [`the trial's ordering "${ordering}" is none of ${ORDERINGS.join(", ")}`];
  if (ordering === "strict" || !trial) return [];
  const wrong: string[] = [];
  if (ordering === "shuffle-at-open") {
    const s = trial.shuffleSeconds;
    if (!isInt(s) || s < 1 || s > 600)
      wrong.push("the trial's shuffleSeconds is not a whole number of seconds 1..600");
  }
  for (const field of ["opensAt", "closesAt"] as const)
    if (typeof trial[field] !== "string" || Number.isNaN(Date.parse(trial[field] as string)))
      wrong.push(`the trial's ${field} is not a time`);
  if (typeof trial.seedCommitment !== "string" || !HEX64.test(trial.seedCommitment))
    wrong.push("the trial's seedCommitment is not 64 lowercase hex digits");
  if (!isNullableString(trial.seed)) wrong.push("the trial's seed is neither null nor a string");
  return wrong;
}

export function asHead(p: unknown): HeadPayload | string {
  if (typeof p !== "object" || p === null) return "the head's payload is not a JSON object";
  const x = p as Record<string, unknown>;
  if (typeof x.trialId !== "string") return "the head's trialId is not a string";
  if (!isInt(x.n) || x.n < 0) return "the head's n is not a whole number";
  if (typeof x.hash !== "string") return "the head's hash is not a string";
  if (typeof x.status !== "string") return "the head's status is not a string";
  if (!isInt(x.at)) return "the head's at is not epoch milliseconds";
  return x as unknown as HeadPayload;
}

export function asReceipt(p: unknown): ReceiptPayload | string {
  if (typeof p !== "object" || p === null) return "the receipt's payload is not a JSON object";
  const x = p as Record<string, unknown>;
  for (const f of ["iss", "trialId", "applicationId", "outcome", "memberTag", "hash"])
    if (typeof x[f] !== "string") return `the receipt's ${f} is not a string`;
  for (const f of ["seq", "decidedAt", "entry"])
    if (!isInt(x[f])) return `the receipt's ${f} is not an integer`;
  return x as unknown as ReceiptPayload;
}
