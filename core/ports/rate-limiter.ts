/** A limit such as "10 requests per 60 seconds". */
export interface RateRule {
  /** Stable name, part of the storage key: "login-ip", "apply-member", … */
  name: string;
  limit: number;
  windowSeconds: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Rate limiting for abuse (brute force, bots). Implementations fail open: a limiter whose
 * store is down lets requests through and logs, because refusing every login is worse.
 */
export interface RateLimiter {
  readonly enabled: boolean;
  check(rule: RateRule, key: string): Promise<RateDecision>;
}

export const noRateLimits: RateLimiter = {
  enabled: false,
  check: async () => ({ ok: true }),
};
