import { CHECK_ORDER, CHECKS } from "./failures";
import type { Verdict } from "./verify";

/** Failures printed per check; the rest are counted (a removed page would print thousands). */
const SHOWN_PER_CHECK = 10;

/** The verdict as the CLI prints it: one line per check, then the failures, then the summary. */
export function formatVerdict(verdict: Verdict, keptHead?: string): string {
  const lines: string[] = [];
  const { summary: s } = verdict;
  lines.push(`Trial ${s.trialId}: ${s.entries} log entries`);
  for (const check of CHECK_ORDER) {
    const failed = verdict.failures.filter((f) => f.check === check);
    const skipped = verdict.skipped[check];
    const mark = failed.length > 0 ? "FAIL" : skipped ? "skip" : "ok  ";
    const note = failed.length > 0 ? ` (${failed.length})` : skipped ? ` (${skipped})` : "";
    lines.push(`  ${mark} ${check}: ${CHECKS[check]}${note}`);
    for (const f of failed.slice(0, SHOWN_PER_CHECK)) lines.push(`         - ${f.message}`);
    if (failed.length > SHOWN_PER_CHECK)
      lines.push(`         … and ${failed.length - SHOWN_PER_CHECK} more`);
  }
  if (s.head) {
    const tail = s.entries - s.head.n;
    lines.push(
      `Signed head: entry ${s.head.n}, ${s.head.hash}, status ${s.head.status}, at ${new Date(s.head.at).toISOString()}` +
        (s.headKid ? `, key ${s.headKid}` : "") +
        (tail > 0 ? ` (${tail} newer entries are not signed yet)` : ""),
    );
  }
  if (s.tally) {
    const t = s.tally;
    const stopped = verdict.failures.find((f) => f.check === "ordering" || f.check === "draw");
    lines.push(
      `Replayed${stopped ? ` up to entry ${stopped.entry}, where it stopped` : ""}: ${t.arrivals} arrivals, ${t.won} WON, ${t.waitlisted} WAITLISTED, ${t.cancelled} cancelled, ${t.promoted} promoted`,
    );
  }
  if (s.draw) {
    const d = s.draw;
    lines.push(
      d.drawnAt === null
        ? `${d.ordering}: not drawn yet (due ${new Date(d.dueAt).toISOString()}), ${d.entrants} entrants PENDING`
        : `${d.ordering}: drawn at entry ${d.drawnAt} (due ${new Date(d.dueAt).toISOString()}), ranked with log hash ${d.logHash}: ${d.entrants} entrants, ` +
            (verdict.failures.some((f) => f.check === "draw")
              ? "wrongly drawn"
              : `${d.won} WON, ${d.waitlisted} WAITLISTED, ${d.notSelected} NOT_SELECTED`),
    );
  }
  if (s.receipt) {
    const r = s.receipt;
    const now = r.latest
      ? `; its latest entry is ${r.latest.n} (${r.latest.kind}, ${r.latest.outcome})`
      : "";
    lines.push(`Receipt: entry ${r.entry}, application ${r.applicationId}, ${r.outcome}${now}`);
  }
  if (verdict.passed && s.seedCommitment && s.draw?.drawnAt === null)
    lines.push(
      `Keep this seed commitment: pass it as --seed-commitment next time, and a seed swapped since will fail \`seed\`: ${s.seedCommitment}`,
    );
  if (verdict.passed && keptHead)
    lines.push(
      "Keep this head: pass it as --known-head next time, and a log rewritten since will fail `history`:",
      keptHead,
    );
  lines.push(
    verdict.firstFailure
      ? `FAILED: ${verdict.firstFailure.check}: ${verdict.firstFailure.message}`
      : "PASSED: every check",
  );
  return lines.join("\n");
}
