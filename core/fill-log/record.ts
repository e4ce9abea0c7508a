import type { Application, GateState } from "../first-come/types";
import type { LogKind } from "../vocabulary/fill-log";
import { appendToLog, EMPTY_LOG, type LogEntry } from "./chain";

/** A change to one application that the public log records, in gate order. */
export interface LoggedChange {
  kind: LogKind;
  /** The application after the change. */
  application: Application;
}

/**
 * A gate decision's log entries: the caller (either gate) writes the entries, the state with
 * its new head and the applications with their `lastEntry` in the same transaction as the
 * decision itself, so an entry exists exactly when its decision does.
 */
export function recordInLog(
  state: GateState,
  changes: readonly LoggedChange[],
  at: number,
): { next: GateState; entries: LogEntry[]; applications: Application[] } {
  if (changes.length === 0) return { next: state, entries: [], applications: [] };
  const { entries, head } = appendToLog(
    state.log ?? EMPTY_LOG,
    changes.map(({ kind, application: a }) => ({
      kind,
      seq: a.seq,
      applicationId: a.id,
      memberTag: a.memberTag,
      outcome: a.status,
      at,
    })),
  );
  const applications = changes.map(({ application }, i) => {
    const entry = entries[i] as LogEntry;
    return { ...application, lastEntry: { n: entry.n, hash: entry.hash } };
  });
  return { next: { ...state, log: head }, entries, applications };
}
