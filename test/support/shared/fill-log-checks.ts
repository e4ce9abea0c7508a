import { GENESIS_HASH, hashOf, type LogEntry } from "../../../core/fill-log/chain";
import type { Application } from "../../../core/first-come/types";

/**
 * What both gates' fill log tests check of a stored log, on either runtime: each answers the
 * problems it found (none: []), so a failing test names the entry at fault.
 */

/** n gapless from 1, every prevHash the previous hash, every hash recomputed from its text. */
export function chainProblems(entries: readonly LogEntry[]): string[] {
  const problems: string[] = [];
  let prev = GENESIS_HASH;
  entries.forEach((entry, i) => {
    const { hash, ...unsealed } = entry;
    if (entry.n !== i + 1) problems.push(`entry ${i + 1} has n ${entry.n}`);
    if (entry.prevHash !== prev)
      problems.push(`entry ${entry.n}: prevHash is not entry ${i}'s hash`);
    if (hashOf(unsealed) !== hash) problems.push(`entry ${entry.n}: hash does not recompute`);
    prev = hash;
  });
  return problems;
}

/**
 * Every application has an entry and every entry an application; each application's
 * lastEntry is its latest entry and carries its member's tag.
 */
export function ledgerProblems(
  entries: readonly LogEntry[],
  applications: readonly Application[],
): string[] {
  const problems: string[] = [];
  const latest = new Map<string, LogEntry>();
  for (const entry of entries) latest.set(entry.applicationId, entry);
  const ids = new Set(applications.map((a) => a.id));
  for (const entry of entries) {
    if (!ids.has(entry.applicationId)) problems.push(`entry ${entry.n}: no such application`);
  }
  for (const a of applications) {
    const entry = latest.get(a.id);
    if (!entry) {
      problems.push(`application ${a.seq}: no entry`);
      continue;
    }
    if (a.lastEntry?.n !== entry.n || a.lastEntry.hash !== entry.hash) {
      problems.push(`application ${a.seq}: lastEntry is not entry ${entry.n}`);
    }
    if (entry.memberTag !== a.memberTag) problems.push(`application ${a.seq}: another tag`);
    if (entry.outcome !== a.status) problems.push(`application ${a.seq}: outcome ${entry.outcome}`);
  }
  return problems;
}
