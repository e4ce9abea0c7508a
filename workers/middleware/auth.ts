import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { RateRule } from "../../core/ports/rate-limiter";
import type { Role } from "../auth/roles";
import { type VerifiedClaims, verifyAccessToken } from "../auth/tokens";
import type { AppContext, AppEnv } from "../context";
import { AppError } from "../errors";
import { findLiveUserCached } from "../services/user-lookup";
import { tooManyAttempts } from "./rate-limit";

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

async function verifiedClaims(c: Context<AppEnv>): Promise<VerifiedClaims> {
  const header = c.req.header("authorization");
  const match = header ? BEARER.exec(header) : null;
  if (!match?.[1]) {
    throw new AppError("UNAUTHORIZED", "A bearer access token is required.");
  }
  const result = await verifyAccessToken(match[1], c.var.deps.config.jwtSecret);
  if (!result.ok) {
    throw result.reason === "expired"
      ? new AppError("TOKEN_EXPIRED", "The access token has expired; refresh it.")
      : new AppError("UNAUTHORIZED", "The access token is not valid.");
  }
  return result.claims;
}

/**
 * 401 unless the request carries a valid access token of a live account; sets `caller`.
 * The signature alone is not enough: a deleted account's tokens must stop working at once,
 * not when they expire, and a role change must not wait for the next refresh. So the caller
 * is the stored user (one cached lookup per request), and the token only names them.
 */
export const requireAuth = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const claims = await verifiedClaims(c);
    const user = await findLiveUserCached(c.var.deps, claims.userId);
    if (!user) throw new AppError("UNAUTHORIZED", "This account no longer exists.");
    c.set("caller", { userId: user.id, role: user.role });
    await next();
  });

/**
 * The apply hot path's variant: the token's signature, expiry and claims, then the member's
 * rate limit on the platform (the Workers binding; the isolate's own counter on Deno), and
 * nothing else before the gate: no Postgres, no Redis, so thousands of first-time applicants
 * in one second open no connections and wait on no store. The cost (docs/decisions/0020): a
 * deleted account's token still applies until it expires (ACCESS_TOKEN_TTL_SECONDS), and the
 * decisions consumer then releases the place; a role change waits for the next token.
 */
export const requireToken = (
  rule: (c: AppContext) => RateRule,
  /** Runs after the signature check, before the limit: may throw an answer that needs neither. */
  shortCircuit?: (c: AppContext, claims: VerifiedClaims) => void,
) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const claims = await verifiedClaims(c);
    shortCircuit?.(c, claims);
    const decision = await c.var.deps.limiter.check(rule(c), claims.userId);
    if (!decision.ok) throw tooManyAttempts(decision.retryAfterSeconds);
    c.set("caller", { userId: claims.userId, role: claims.role });
    await next();
  });

/** 403 unless the (authenticated) caller has one of the roles. Use after requireAuth. */
export const requireRole = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!roles.includes(c.var.caller.role)) {
      throw new AppError("FORBIDDEN", `This action needs the role ${roles.join(" or ")}.`);
    }
    await next();
  });
