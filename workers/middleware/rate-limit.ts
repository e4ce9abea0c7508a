import { createMiddleware } from "hono/factory";
import type { RateRule } from "../../core/ports/rate-limiter";
import type { AppContext, AppEnv } from "../context";
import { AppError } from "../errors";

/** One limit to charge: the rule and whose attempt it is (an address, an e-mail, a user). */
export interface RateTarget {
  rule: RateRule;
  key: string;
}

type Picked = RateTarget | RateTarget[] | null;
type Pick = (c: AppContext) => Picked | Promise<Picked>;

/**
 * Charges the request to every target `pick` names; 429 RATE_LIMITED with Retry-After
 * (the error handler sets it) when any is used up. Keys reach the store only as SHA-256
 * digests, so Redis never holds an e-mail or an address. Place it after validation: a
 * request refused as malformed was cheap and is not counted.
 */
export const rateLimit = (pick: Pick) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.var.deps.limiter.enabled) return next();
    const picked = await pick(c);
    await chargeLimits(c, picked === null ? [] : Array.isArray(picked) ? picked : [picked]);
    await next();
  });

/**
 * Charges every target, in parallel, so the request counts against each even when another
 * one refuses it; throws 429 RATE_LIMITED when any is used up.
 */
async function chargeLimits(c: AppContext, targets: RateTarget[]): Promise<void> {
  const { limiter } = c.var.deps;
  if (!limiter.enabled || targets.length === 0) return;
  const decisions = await Promise.all(
    targets.map(async (t) => limiter.check(t.rule, await digest(t.key))),
  );
  const waits = decisions.flatMap((d) => (d.ok ? [] : [d.retryAfterSeconds]));
  if (waits.length > 0) {
    throw new AppError(
      "RATE_LIMITED",
      "Too many attempts; retry after the number of seconds in Retry-After.",
      [],
      // The caller is admitted only once every exhausted limit has a fresh window.
      Math.max(...waits),
    );
  }
}

/** Logins: per client address and per e-mail (a brute force on one account from many). */
export const limitLogin = () =>
  rateLimit(async (c) => {
    const { rateLimits } = c.var.deps.config;
    const email = await emailInBody(c);
    return [
      { rule: rateLimits.loginPerIp, key: c.var.deps.clientIp },
      ...(email ? [{ rule: rateLimits.loginPerEmail, key: email }] : []),
    ];
  });

export const limitSignup = () =>
  rateLimit((c) => ({ rule: c.var.deps.config.rateLimits.signupPerIp, key: c.var.deps.clientIp }));

/** Applications: per member, charged by requireToken with the revocation check (ApplyGuard). */
export const applyLimit = (c: AppContext): RateRule => c.var.deps.config.rateLimits.applyPerMember;

/**
 * The e-mail of a JSON body, trimmed and lower-cased as accounts store it. Read through
 * hono's body cache (the JSON body middleware has consumed the stream); anything that is
 * not an object with a string `email` yields null rather than an error, so a bad body
 * still gets the validator's 400.
 */
async function emailInBody(c: AppContext): Promise<string | null> {
  const body: unknown = await c.req.json().catch(() => null);
  if (typeof body !== "object" || body === null || !("email" in body)) return null;
  return typeof body.email === "string" ? body.email.trim().toLowerCase() || null : null;
}

async function digest(key: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}
