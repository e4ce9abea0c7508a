import type { VerifiedClaims } from "../auth/tokens";
import { AppError } from "../errors";

/**
 * The apply route's door for restricted members: decided from the access token alone (its
 * `restrictedUntil` claim), so the hot path stays free of database calls
 * (docs/decisions/0015, 0020, 0036). Throws 403 MEMBER_RESTRICTED while the claim is ahead.
 *
 * The date travels in `details` the way every other detail does, as `{path, message}`:
 * `path` names the field (`restrictedUntil`), `message` is its value, an ISO-8601 instant, so
 * a client reads it without parsing prose.
 */
export function refuseIfRestricted(claims: VerifiedClaims, nowMs = Date.now()): void {
  const until = claims.restrictedUntilMs;
  if (claims.role !== "MEMBER" || until === null || until <= nowMs) return;
  const restrictedUntil = new Date(until).toISOString();
  throw new AppError(
    "MEMBER_RESTRICTED",
    `Two missed review deadlines within 180 days: applying is paused until ${restrictedUntil}. ` +
      "A strike can be appealed (POST /v1/me/strikes/:id/appeal).",
    [{ path: "restrictedUntil", message: restrictedUntil }],
  );
}
