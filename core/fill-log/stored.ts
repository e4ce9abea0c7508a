import type { Application, ApplyResult, GateState } from "../first-come/types";
import { EMPTY_LOG, memberTagOf, newTrialSecret } from "./chain";

/**
 * What either gate reads back from storage written before the public fill log existed: a
 * gate state without a log head or a tag secret starts an empty log and gets a fresh secret
 * (the caller stores it with its next commit), and an application without a member tag gets
 * the one its member has under the trial's secret, with no entry yet.
 */

/** A stored state as it may have been written before the log: its fields are optional. */
export type StoredGateState = Omit<GateState, "log" | "tagSecret"> &
  Partial<Pick<GateState, "log" | "tagSecret">>;

export function gateStateWithLog(stored: StoredGateState): GateState {
  if (stored.log && stored.tagSecret) return stored as GateState;
  return {
    ...stored,
    log: stored.log ?? EMPTY_LOG,
    tagSecret: stored.tagSecret ?? newTrialSecret(),
  };
}

/** A stored application as it may have been written before the log. */
export type StoredApplication = Omit<Application, "memberTag" | "lastEntry"> &
  Partial<Pick<Application, "memberTag" | "lastEntry">>;

export function applicationWithTag(stored: StoredApplication, tagSecret: string): Application {
  if (stored.memberTag && stored.lastEntry !== undefined) return stored as Application;
  return {
    ...stored,
    memberTag: stored.memberTag ?? memberTagOf(tagSecret, stored.userId),
    lastEntry: stored.lastEntry ?? null,
  };
}

/**
 * A batch's answers with each application it created replaced by its logged version (the one
 * carrying its `lastEntry`), a repeat within the batch included, so callers get what was stored.
 */
export function withLoggedApplications(
  results: readonly ApplyResult[],
  logged: readonly Application[],
): ApplyResult[] {
  const byId = new Map(logged.map((a) => [a.id, a]));
  return results.map((r) => {
    if (r.kind !== "created" && r.kind !== "existing") return r;
    const application = byId.get(r.application.id);
    return application ? { ...r, application } : r;
  });
}
