import { describeError, log } from "../../core/log";
import type { Database } from "../../db/client";
import { endAccessTokens } from "../auth/sessions";
import type { Deps } from "../context";
import { invalidateUser } from "../services/user-lookup";
import { restrictionOf } from "./reliability";

/**
 * A member's restriction travels in their access token (claim `restrictedUntil`, read by the
 * apply route without a database call; docs/decisions/0036). When it changes, the tokens
 * they hold say the wrong thing until they expire. So a change ends them the way a logout
 * does (docs/decisions/0024): on the platform's revocation list (the apply path honours it
 * within a second), then `users.tokens_valid_after` and the cached account (every other
 * route, at once). The member's client refreshes on the 401 TOKEN_EXPIRED, and the new token
 * carries the restriction as it now stands.
 */
export interface RestrictionChangeDeps {
  db: Pick<Database, "update">;
  /** RevocationView.revokeUntilNow of the runtime: publishes, answers the instant. */
  revokeUntilNow(userId: string): Promise<Date>;
  cache: Deps["cache"];
  waitUntil: Deps["waitUntil"];
}

/**
 * Ends the member's access tokens because their restriction changed (a strike made them
 * restricted, or a granted appeal lifted it). Call after the change has committed: a refresh
 * racing it then either read the change already or issued its token before this instant.
 * A revocation list out of reach throws 503 SERVICE_UNAVAILABLE (RevocationView.revoke);
 * the change itself stands, and tokens issued before it expire within their TTL.
 */
export async function restrictionChanged(
  deps: RestrictionChangeDeps,
  userId: string,
): Promise<void> {
  const at = await deps.revokeUntilNow(userId);
  await endAccessTokens(deps.db, userId, at);
  await invalidateUser(deps, userId);
}

/**
 * For the job that records a missed review deadline's strike: call after the strike
 * committed. Ends the member's tokens only when the strike leaves them restricted (a first
 * strike changes nothing a token carries, and costs the member no refresh). Never throws:
 * the strike is recorded either way, and a restriction that could not reach the tokens now
 * reaches them at their next refresh (at most ACCESS_TOKEN_TTL_SECONDS later); it is logged.
 * Answers the restriction's end (epoch ms) or null.
 */
export async function strikeRecorded(
  deps: RestrictionChangeDeps & { db: Pick<Database, "select" | "update"> },
  userId: string,
  nowMs = Date.now(),
): Promise<number | null> {
  try {
    const until = await restrictionOf(deps.db, userId, nowMs);
    if (until !== null) await restrictionChanged(deps, userId);
    return until;
  } catch (err) {
    log.warn("strikes.restriction_not_propagated", { userId, error: describeError(err) });
    return null;
  }
}

/** What a scheduled job gets from its runtime to end newly restricted members' tokens. */
export interface StrikeFollowUp {
  /** The runtime's revocation list (RevocationView.revokeUntilNow). */
  revokeUntilNow(userId: string): Promise<Date>;
  /** Where background work (the cache's second delete) may finish after the job. */
  waitUntil(promise: Promise<unknown>): void;
}
