import type { Child } from "hono/jsx";
import { assetUrl } from "./assets/serve";
import { LOCALES, type Texts } from "./i18n";

/** Who is looking at the page, from the session (null: nobody signed in). */
export type Viewer = { id: string; name: string; role: "MEMBER" | "COMPANY" | "ADMIN" } | null;

export type PageContext = {
  t: Texts;
  viewer: Viewer;
  /** The path and query of this page, for the language switch. */
  here: string;
};

const LANGUAGE_NAMES = { en: "English", ko: "한국어" } as const;

/**
 * Every page's frame: skip link, navigation for the viewer's role, the language switch (plain
 * links, so it works without script), and the one stylesheet and script, both from this
 * origin. `page` names the script's behaviour for this page (clients/pages/main.ts).
 */
export function Layout(props: { ctx: PageContext; title: string; page?: string; children: Child }) {
  const { t, viewer, here } = props.ctx;
  return (
    <html lang={t.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {/* The server's clock at render time, for countdowns (clients/pages/server-clock.ts). */}
        <meta name="server-time" content={String(Date.now())} />
        <title>{`${props.title} · ${t.common.brand}`}</title>
        <link rel="stylesheet" href={assetUrl("app.css")} />
        <script type="module" src={assetUrl("app.js")} />
      </head>
      <body data-page={props.page ?? ""} data-locale={t.locale}>
        <a class="skip-link" href="#main">
          {t.common.skipToContent}
        </a>
        <header class="site-header">
          <nav aria-label={t.common.brand}>
            <a class="brand" href="/">
              {t.common.brand}
            </a>
            <ul class="nav-links">
              <li>
                <a href="/">{t.common.navTrials}</a>
              </li>
              {viewer?.role === "MEMBER" && (
                <li>
                  <a href="/me/applications">{t.common.navMyApplications}</a>
                </li>
              )}
              {(viewer?.role === "COMPANY" || viewer?.role === "ADMIN") && (
                <li>
                  <a href="/company">{t.common.navCompany}</a>
                </li>
              )}
              {viewer ? (
                <li>
                  <form method="post" action="/logout" class="inline-form">
                    <button type="submit" class="link-button">
                      {t.common.navLogout}
                    </button>
                  </form>
                </li>
              ) : (
                <>
                  <li>
                    <a href="/login">{t.common.navLogin}</a>
                  </li>
                  <li>
                    <a href="/signup">{t.common.navSignup}</a>
                  </li>
                </>
              )}
            </ul>
          </nav>
          <nav class="language-switch" aria-label={t.common.language}>
            {LOCALES.map((locale) => (
              <a
                href={withLang(here, locale)}
                lang={locale}
                hreflang={locale}
                aria-current={locale === t.locale ? "true" : undefined}
              >
                {LANGUAGE_NAMES[locale]}
              </a>
            ))}
          </nav>
        </header>
        <main id="main" tabindex={-1}>
          {viewer && <p class="signed-in">{t.common.signedInAs(viewer.name)}</p>}
          {props.children}
        </main>
      </body>
    </html>
  );
}

function withLang(here: string, locale: string): string {
  const url = new URL(here, "http://page.invalid");
  url.searchParams.set("lang", locale);
  return `${url.pathname}${url.search}`;
}
