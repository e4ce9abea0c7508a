import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";

/**
 * The pages' security headers: a CSP that admits this origin only (scripts, styles, images,
 * sockets to the live room), no inline script or style at all, no framing. Forms and the
 * session proxy change state only for requests from this origin (Origin or Sec-Fetch-Site,
 * hono/csrf), on top of the session cookies' SameSite=Strict.
 */
export const pageSecurityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:", "blob:"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: "same-origin",
  crossOriginEmbedderPolicy: false,
});

export const sameOriginWrites = csrf();
