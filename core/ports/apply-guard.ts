import type { RateRule } from "./rate-limiter";

/**
 * The apply hot path's two checks that need shared state, answered in ONE round trip: has
 * the member's account revoked its tokens (deleted), and has the member used up their
 * apply rate. Upstash implements it with one script; without Redis both are off, exactly as
 * the cache and the rate limiter are (docs/decisions/0008, 0015).
 */
export interface ApplyGuard {
  readonly enabled: boolean;
  check(userId: string, tokenIssuedAtSeconds: number, rule: RateRule): Promise<ApplyVerdict>;
}

export type ApplyVerdict =
  | { ok: true }
  | { ok: false; reason: "revoked" }
  | { ok: false; reason: "rate-limited"; retryAfterSeconds: number };

export const noApplyGuard: ApplyGuard = {
  enabled: false,
  check: async () => ({ ok: true }),
};
