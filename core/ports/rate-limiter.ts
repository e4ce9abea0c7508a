/** A limit such as "10 requests per 60 seconds". */
export interface RateRule {
  /** Stable name, part of the counter's key: "login-ip", "apply-member", … */
  name: string;
  limit: number;
  windowSeconds: number;
  /**
   * Charged on the apply hot path: the runtime must answer without a network round trip,
   * even if that means counting per instance (docs/decisions/0020).
   */
  hotPath: boolean;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Rate limiting for abuse (brute force, sign-up spam, bots, upload floods), on the platform:
 * the Workers Rate Limiting binding on Cloudflare, the isolate and Deno KV on Deno. There is
 * no "off": every configuration limits (API.md). Implementations fail open when their store
 * errors, because refusing every login over a broken counter is worse than a few unthrottled
 * attempts; they never fail open because a key is busy.
 */
export interface RateLimiter {
  check(rule: RateRule, key: string): Promise<RateDecision>;
}

/** The fixed window `nowMs` falls in (windows are aligned to the epoch) and when it ends. */
export function fixedWindow(rule: RateRule, nowMs: number): { index: number; endsAt: number } {
  const windowMs = rule.windowSeconds * 1000;
  const index = Math.floor(nowMs / windowMs);
  return { index, endsAt: (index + 1) * windowMs };
}

/** Whole seconds until `resetMs` (epoch ms), rounded up and never below 1. */
export function retryAfterSeconds(resetMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((resetMs - nowMs) / 1000));
}
