import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { RateRule } from "../../core/ports/rate-limiter";
import type { Role } from "../../core/vocabulary/roles";
import { revokedBy } from "../auth/revocations";
import { type VerifiedClaims, verifyAccessToken } from "../auth/tokens";
import type { AppContext, AppEnv } from "../context";
import { AppError } from "../errors";
import { findLiveAccountCached } from "../services/user-lookup";
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
 * is the stored user (one cached lookup per request), and the token only names them. The
 * same lookup brings the account's "valid after" instant: a token issued at or before the
 * last logout, password change or deletion is refused (docs/decisions/0024).
 */
export const requireAuth = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const claims = await verifiedClaims(c);
    const account = await findLiveAccountCached(c.var.deps, claims.userId);
    if (!account) throw new AppError("UNAUTHORIZED", "This account no longer exists.");
    if (revokedBy(claims.issuedAtMs, account.tokensValidAfterMs)) throw revokedToken();
    const { user } = account;
    c.set("caller", { userId: user.id, role: user.role });
    await next();
  });

/**
 * A token older than its account's last logout, password change or deletion. TOKEN_EXPIRED,
 * because what a client does about it is the same: refresh (which works on a device that
 * did not log out, and fails where the session itself ended).
 */
function revokedToken(): AppError {
  return new AppError(
    "TOKEN_EXPIRED",
    "The access token was revoked (logout, password change or account deletion); refresh it.",
  );
}

/**
 * The apply hot path's variant: the token's signature, expiry and claims, the revocation
 * list as this isolate holds it (at most a second old, docs/decisions/0024), then the
 * member's rate limit on the platform (the Workers binding; the isolate's own counter on
 * Deno), and nothing else before the gate: no Postgres, no Redis, so thousands of first-time
 * applicants in one second open no connections and wait on no store. A role change waits
 * for the next token (docs/decisions/0020).
 */
export const requireToken = (
  rule: (c: AppContext) => RateRule,
  /** Runs after the signature check, before the limit: may throw an answer that needs neither. */
  shortCircuit?: (c: AppContext, claims: VerifiedClaims) => void,
) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const claims = await verifiedClaims(c);
    const { revocations, waitUntil } = c.var.deps;
    if (await revocations.isRevoked(claims.userId, claims.issuedAtMs, waitUntil)) {
      throw revokedToken();
    }
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
