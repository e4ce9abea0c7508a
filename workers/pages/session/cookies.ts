import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/**
 * The page session (docs/decisions/0038): the API's own token pair, kept in HttpOnly,
 * SameSite=Strict cookies that no script can read, so an injected script cannot carry a
 * token away. The access token's cookie lives as long as the token; the refresh token's
 * cookie lets the server renew the pair when a page finds the access token expired.
 */

const ACCESS_COOKIE = "tryit_access";
const REFRESH_COOKIE = "tryit_refresh";

/** A refresh token's cookie outlives the access token; the API decides when it is dead. */
const REFRESH_MAX_AGE_S = 30 * 24 * 3600;

/** The access cookie goes this long before its token does, so pages renew ahead of a 401. */
const ACCESS_MARGIN_S = 30;

export type TokenPair = { accessToken: string; refreshToken: string; expiresIn: number };

// Secure on https only: the local default serves http://127.0.0.1, where a Secure cookie
// would still be kept by Chromium but not by every browser a developer might try.
const secureFor = (c: Context) => new URL(c.req.url).protocol === "https:";

export function saveTokens(c: Context, tokens: TokenPair): void {
  const common = { httpOnly: true, sameSite: "Strict", secure: secureFor(c), path: "/" } as const;
  setCookie(c, ACCESS_COOKIE, tokens.accessToken, {
    ...common,
    maxAge: Math.max(1, tokens.expiresIn - ACCESS_MARGIN_S),
  });
  setCookie(c, REFRESH_COOKIE, tokens.refreshToken, { ...common, maxAge: REFRESH_MAX_AGE_S });
}

export function forgetTokens(c: Context): void {
  deleteCookie(c, ACCESS_COOKIE, { path: "/", secure: secureFor(c) });
  deleteCookie(c, REFRESH_COOKIE, { path: "/", secure: secureFor(c) });
}

export function accessTokenOf(c: Context): string | undefined {
  return getCookie(c, ACCESS_COOKIE);
}

export function refreshTokenOf(c: Context): string | undefined {
  return getCookie(c, REFRESH_COOKIE);
}
