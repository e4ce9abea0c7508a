import type { GateSnapshot } from "../first-come/types";

/**
 * The fields of the API's `Trial` that only the gate knows: status and live counts. The
 * catalog (Postgres) supplies the rest. Declared once, so `GET /v1/trials/:id`, the live
 * room's `hello` and its `counts` can never disagree on what "live" means.
 */
export function liveFieldsOf(snapshot: GateSnapshot) {
  return {
    status: snapshot.status,
    closedReason: snapshot.closedReason,
    won: snapshot.won,
    waitlisted: snapshot.waitlisted,
    remaining: snapshot.remaining,
    applicants: snapshot.applicants,
  };
}

export type TrialLiveFields = ReturnType<typeof liveFieldsOf>;
