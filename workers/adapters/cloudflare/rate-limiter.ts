import { describeError, log } from "../../../core/log";
import type { RateDecision, RateLimiter, RateRule } from "../../../core/ports/rate-limiter";
import { ConfigError } from "../../config";
import { RATE_LIMITS } from "../../rate-limits";

/** One limiter per bindings object (an isolate sees the same env on every request). */
const built = new WeakMap<object, RateLimiter>();
let warned = false;

/**
 * The port on Workers Rate Limiting bindings (`[[ratelimits]]` in wrangler.toml), one binding
 * per rule of workers/rate-limits.ts. The binding counts on the Cloudflare machine that runs
 * the request (no round trip to a store; wrangler and miniflare simulate it locally), so it
 * is cheap enough for the apply hot path.
 *
 * The limit and the period are the binding's, set in wrangler.toml: a RATE_LIMIT_* variable
 * could only be ignored here, so one is refused as a configuration error instead. The binding
 * says nothing about when its window ends: Retry-After is the rule's period, an upper bound
 * (docs/decisions/0020). Keys reach the binding as the middleware hands them over (digests of
 * addresses and e-mails, user ids).
 */
export function bindingRateLimiter(env: Record<string, unknown>): RateLimiter {
  const hit = built.get(env);
  if (hit) return hit;
  const variables = Object.values(RATE_LIMITS)
    .map((spec) => spec.variable)
    .filter((name) => env[name] !== undefined);
  if (variables.length > 0) {
    throw new ConfigError(
      `invalid configuration: ${variables.join(", ")} apply on Deno only; on Workers a limit ` +
        "is its [[ratelimits]] binding in wrangler.toml (docs/decisions/0020)",
    );
  }
  const bindings = new Map<string, RateLimit>();
  for (const spec of Object.values(RATE_LIMITS)) {
    const binding = env[spec.binding];
    if (!isRateLimit(binding)) {
      throw new ConfigError(
        `invalid configuration: no rate limiting binding ${spec.binding} ([[ratelimits]] in wrangler.toml)`,
      );
    }
    bindings.set(spec.name, binding);
  }
  const limiter: RateLimiter = {
    async check(rule: RateRule, key: string): Promise<RateDecision> {
      const binding = bindings.get(rule.name);
      if (!binding) throw new Error(`no rate limiting binding for the rule ${rule.name}`);
      try {
        const { success } = await binding.limit({ key });
        return success ? { ok: true } : { ok: false, retryAfterSeconds: rule.windowSeconds };
      } catch (err) {
        // The port's contract: a broken counter lets the request through, and says so once.
        if (!warned) {
          warned = true;
          log.warn("rate_limit.unavailable", {
            error: describeError(err),
            effect: "requests pass unlimited",
          });
        }
        return { ok: true };
      }
    },
  };
  built.set(env, limiter);
  return limiter;
}

function isRateLimit(value: unknown): value is RateLimit {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { limit?: unknown }).limit === "function"
  );
}
