import { createMiddleware } from "hono/factory";
import type { RateRule } from "../../core/ports/rate-limiter";
import type { AppContext, AppEnv } from "../context";
import { AppError } from "../errors";
import { sha256Hex } from "../lib/digests";

/** One limit to charge: the rule and whose attempt it is (an address, an e-mail, a user). */
export interface RateTarget {
  rule: RateRule;
  key: string;
}

type Picked = RateTarget | RateTarget[] | null;
type Pick = (c: AppContext) => Picked | Promise<Picked>;

/**
 * Charges the request to every target `pick` names; 429 RATE_LIMITED with Retry-After
 * (the error handler sets it) when any is used up. Keys reach the limiter only as SHA-256
 * digests, so no counter (a KV entry, the platform's binding) holds an e-mail or an address.
 * Place it after validation: a request refused as malformed was cheap and is not counted.
 */
const rateLimit = (pick: Pick) =>
  createMiddleware<AppEnv>(async (c, next) => {
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
  if (targets.length === 0) return;
  const decisions = await Promise.all(
    targets.map(async (t) => limiter.check(t.rule, await sha256Hex(t.key))),
  );
  const waits = decisions.flatMap((d) => (d.ok ? [] : [d.retryAfterSeconds]));
  // The caller is admitted only once every exhausted limit has a fresh window.
  if (waits.length > 0) throw tooManyAttempts(Math.max(...waits));
}

/** 429 RATE_LIMITED; the error handler turns `retryAfterSeconds` into Retry-After. */
export function tooManyAttempts(retryAfterSeconds: number): AppError {
  return new AppError(
    "RATE_LIMITED",
    "Too many attempts; retry after the number of seconds in Retry-After.",
    [],
    retryAfterSeconds,
  );
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

/**
 * Refreshes per client address. Not per token family: a stream of made-up tokens belongs to
 * no family, and each still costs a database lookup.
 */
export const limitRefresh = () =>
  rateLimit((c) => ({ rule: c.var.deps.config.rateLimits.refreshPerIp, key: c.var.deps.clientIp }));

/**
 * Image uploads per user, after authentication and role and before the body is read: what
 * is limited is receiving up to 5 MiB, so an upload counts whatever its bytes turn out to be.
 */
export const limitUploads = () =>
  rateLimit((c) => ({
    rule: c.var.deps.config.rateLimits.uploadPerUser,
    key: c.var.caller.userId,
  }));

/**
 * Slack link codes asked for, per member: each sends a direct message to someone's Slack
 * account. Only a body that names a Slack id is charged; read through hono's body cache, as
 * emailInBody does, after the validator has accepted it.
 */
export const limitSlackCodes = () =>
  rateLimit(async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    const asks = typeof body === "object" && body !== null && "slackId" in body;
    return asks && typeof body.slackId === "string"
      ? { rule: c.var.deps.config.rateLimits.slackCodePerUser, key: c.var.caller.userId }
      : null;
  });

/** Slack link codes typed back, per member, on top of each code's own limit of tries. */
export const limitSlackVerify = () =>
  rateLimit((c) => ({
    rule: c.var.deps.config.rateLimits.slackVerifyPerUser,
    key: c.var.caller.userId,
  }));

/**
 * Applications: per member, charged by requireToken right after the token's signature, with
 * the user id as the key (no digest: a member id is not personal data like an address).
 */
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
