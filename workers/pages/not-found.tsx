import type { Context } from "hono";
import { LOCALES, type Locale, textsFor } from "./i18n";
import { Layout } from "./layout";
import { pageSecurityHeaders } from "./security";

/**
 * A page for a person who opened an address nobody serves: a browser navigation (it accepts
 * HTML) outside the API's paths gets a page in its language with the way back, under the
 * pages' CSP; API clients keep the JSON 404 of the contract.
 */
const API_PATHS = /^\/(v1|\.well-known|assets|openapi\.json|docs|healthz|metrics)(\/|$)/;

export function isPageNavigation(c: Context): boolean {
  return (
    c.req.method === "GET" &&
    !API_PATHS.test(c.req.path) &&
    (c.req.header("accept") ?? "").includes("text/html")
  );
}

function localeOf(c: Context): Locale {
  const wanted = (c.req.header("accept-language") ?? "").toLowerCase();
  const first = LOCALES.find((l) => wanted.startsWith(l));
  return first ?? "en";
}

export async function notFoundPage(c: Context): Promise<Response> {
  const t = textsFor(localeOf(c));
  await pageSecurityHeaders(c, async () => {
    c.res = await c.html(
      <Layout ctx={{ t, viewer: null, here: c.req.path }} title={t.common.notFoundTitle}>
        <h1>{t.common.notFoundTitle}</h1>
        <p>{t.common.notFoundBody}</p>
        <p>
          <a href="/">{t.common.navTrials}</a>
        </p>
      </Layout>,
      404,
    );
  });
  return c.res;
}
