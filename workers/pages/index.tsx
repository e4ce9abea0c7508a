import { Hono } from "hono";
import { languageDetector } from "hono/language";
import { pageAssetRoutes } from "./assets/serve";
import { authPages } from "./auth-pages";
import { companyPages } from "./company";
import type { PagesEnv } from "./context";
import { formBody } from "./form-body";
import { LOCALES, type Locale, textsFor } from "./i18n";
import { memberPages } from "./member";
import { pageSecurityHeaders, sameOriginWrites } from "./security";
import { type AppFetch, pageApi } from "./session/api";
import { sessionProxy } from "./session/proxy";
import { viewerOf } from "./session/viewer";

/**
 * Pages for people (docs/decisions/0039), served by the app itself on both runtimes: the
 * member's trials, trial page and applications, the company's products, trials, live console
 * and statistics. Server-rendered (hono/jsx), readable without script; a small bundled
 * script adds the live parts. Everything they read or change goes through the public API.
 */

/**
 * Every path a page (or the pages' session proxy) answers: only these get the page frame.
 * (Hono's "/company/*" also matches "/company": listing both would run the frame twice.)
 */
const PAGE_PATHS = [
  "/",
  "/login",
  "/signup",
  "/logout",
  "/trials/*",
  "/me/*",
  // Also matches "/company" itself: listing both would run the frame twice.
  "/company/*",
  "/session/*",
];

export function pageRoutes(appFetch: AppFetch) {
  const pages = new Hono<PagesEnv>();
  for (const path of PAGE_PATHS) {
    pages.use(
      path,
      pageSecurityHeaders,
      sameOriginWrites,
      formBody,
      languageDetector({
        supportedLanguages: [...LOCALES],
        fallbackLanguage: "en",
        order: ["querystring", "cookie", "header"],
        lookupQueryString: "lang",
        lookupCookie: "lang",
        caches: ["cookie"],
        cookieOptions: { sameSite: "Lax", httpOnly: true, path: "/", maxAge: 365 * 24 * 3600 },
        convertDetectedLanguage: (lang) => lang.split("-")[0] ?? lang,
      }),
      async (c, next) => {
        c.set("texts", textsFor(c.var.language as Locale));
        c.set("api", pageApi(c, appFetch));
        // The proxy only forwards: it needs no viewer (one API call less per live request).
        c.set("viewer", c.req.path.startsWith("/session/") ? null : await viewerOf(c));
        await next();
      },
    );
  }
  return pages
    .route("/", pageAssetRoutes)
    .route("/", authPages)
    .route("/", sessionProxy)
    .route("/", memberPages)
    .route("/", companyPages);
}

/**
 * "METHOD /path" of every page route: the pages are HTML for people, outside the API's
 * OpenAPI document (workers/openapi/mounted-routes.ts) and guarded by the API they call.
 */
export function pageRouteKeys(): Set<string> {
  const pages = pageRoutes(() => {
    throw new Error("page routes are only listed, never called");
  });
  return new Set(
    pages.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`),
  );
}
