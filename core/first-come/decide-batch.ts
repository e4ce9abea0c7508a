import { admit } from "./decide";
import type { Application, ApplyResult, GateState } from "./types";

/** One application of a batch, with the id it gets if admitted (chosen by the caller). */
export interface BatchRequest {
  userId: string;
  note: string | null;
  applicationId: string;
}

export interface BatchDecision {
  /** One result per request, at the same index. */
  results: ApplyResult[];
  /** The applications admitted, in seq order: what the gate must store with `next`. */
  admitted: Application[];
  /** The state after the whole batch (status announcement not included). */
  next: GateState;
}

/**
 * Decide a batch of applications in the order given (group commit, docs/decisions/0019):
 * exactly what deciding them one at a time would do, so a batch that straddles the last place
 * gives it to the earliest and the waitlist to the next ones, and refusals are counted as
 * they always are. A member who already holds an application (`existing`, read from the
 * ledger by the caller) or who appears earlier in the same batch gets that application back.
 */
export function decideBatch(
  state: GateState,
  requests: readonly BatchRequest[],
  existing: ReadonlyMap<string, Application>,
  now: number,
): BatchDecision {
  const held = new Map(existing);
  const results: ApplyResult[] = [];
  const admitted: Application[] = [];
  let next = state;
  for (const request of requests) {
    const mine = held.get(request.userId);
    if (mine) {
      results.push({ kind: "existing", application: mine });
      continue;
    }
    const decision = admit(next, { ...request, now });
    next = decision.next;
    if (decision.kind === "refused") {
      results.push({ kind: "refused", code: decision.code });
      continue;
    }
    held.set(request.userId, decision.application);
    admitted.push(decision.application);
    results.push({ kind: "created", application: decision.application });
  }
  return { results, admitted, next };
}
