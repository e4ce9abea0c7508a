import type { AppContext } from "../context";

/**
 * The scheme and host of absolute links in answers (image URLs, `Location`): PUBLIC_URL
 * when it is configured, as it must be in production, so a forged `Host` (or a proxy's
 * `X-Forwarded-Host`) can never aim a client or a cache at another site. Unset, the request's
 * own origin stands in: the local default of `npm start` and the tests, reached as localhost.
 */
export function publicOrigin(c: AppContext): string {
  return c.var.deps.config.publicUrl ?? new URL(c.req.url).origin;
}
