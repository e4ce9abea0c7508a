import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import axe from "axe-core";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { PNG } from "pngjs";
import { expect } from "vitest";
import { baseUrls, target } from "./client";

/**
 * The pages in a real browser: Debian's chromium driven by playwright-core (.ci/run installs
 * it; under CI=true it must be there, elsewhere the browser tests are skipped as /docs's are).
 * Every page runs with every other origin blocked and recorded, its errors (CSP violations
 * among them) recorded, and can be audited by axe-core and photographed.
 */

const BROWSER_PATH = process.env.TRYIT_CHROMIUM ?? "/usr/bin/chromium";
export const hasBrowser = existsSync(BROWSER_PATH);
if (!hasBrowser && process.env.CI === "true") {
  throw new Error(`${BROWSER_PATH} is missing; CI=true requires it (apt-get install chromium)`);
}
if (!hasBrowser) console.warn(`[pages] no ${BROWSER_PATH}: the browser tests are skipped`);

export const base = baseUrls[0] ?? "";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: BROWSER_PATH, args: ["--no-sandbox"] });
}

/** A phone-sized viewport (iPhone SE class) and a laptop's. */
export const PHONE = { width: 375, height: 740 };
export const LAPTOP = { width: 1280, height: 900 };

/** A browser context with the guards on; `problems()` lists what went wrong in its pages. */
export async function guardedContext(
  browser: Browser,
  opts: { viewport?: { width: number; height: number }; locale?: string } = {},
): Promise<GuardedContext> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? LAPTOP,
    locale: opts.locale ?? "en-US",
  });
  const offOrigin: string[] = [];
  const errors: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || url === base) return route.continue();
    offOrigin.push(url);
    return route.abort();
  });
  // WebSockets are not routed by context.route: a socket to another origin is caught here.
  context.on("page", (page) => watchPage(page, offOrigin, errors));
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      return page;
    },
    problems: () => ({ offOrigin: [...offOrigin], errors: [...errors] }),
    close: () => context.close(),
  };
}

export interface GuardedContext {
  context: BrowserContext;
  newPage(): Promise<Page>;
  problems(): { offOrigin: string[]; errors: string[] };
  close(): Promise<void>;
}

function watchPage(page: Page, offOrigin: string[], errors: string[]) {
  const wsBase = base.replace(/^http/, "ws");
  page.on("websocket", (ws) => {
    if (!ws.url().startsWith(`${wsBase}/`)) offOrigin.push(ws.url());
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // A refused API call the page handles (a 409 shown to the member) logs a resource error;
    // that is the page working. A CSP refusal or a script error is not.
    const text = message.text();
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    errors.push(`console error: ${text}`);
  });
}

/** The guards found nothing: no request left this origin, no error in any page. */
export function expectNoProblems(guarded: GuardedContext): void {
  const { offOrigin, errors } = guarded.problems();
  expect(offOrigin, "requests to other origins").toEqual([]);
  expect(errors, "errors in the pages (CSP violations among them)").toEqual([]);
}

export type AxeFinding = { id: string; impact: string; help: string; targets: string[] };

/**
 * axe-core's audit of the page as it is now: the serious and critical violations (WCAG 2.x
 * A and AA rules and best practices). Evaluated through the DevTools protocol, which the
 * page's CSP does not govern, so the page needs no exception for it.
 */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axe.source);
  const results = await page.evaluate(async () => {
    const page = globalThis as unknown as {
      axe: typeof axe;
      document: Parameters<typeof axe.run>[0];
    };
    const run = await page.axe.run(page.document, { resultTypes: ["violations"] });
    return run.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? "",
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  return (results as AxeFinding[]).filter((v) => v.impact === "serious" || v.impact === "critical");
}

const SHOTS = join(process.cwd(), "test-results", "screenshots");

/**
 * A full-page screenshot under test-results/screenshots/<target>/, checked to show
 * something: a blank or one-colour page (a failed render) has a handful of colours at most.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(SHOTS, target);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  const bytes = await page.screenshot({ fullPage: true });
  writeFileSync(file, bytes);
  expect(distinctColours(bytes), `${name}: the screenshot is not blank`).toBeGreaterThan(16);
  return file;
}

function distinctColours(png: Buffer): number {
  const { data } = PNG.sync.read(png);
  const seen = new Set<number>();
  for (let i = 0; i < data.length && seen.size <= 1000; i += 4 * 7) {
    seen.add(((data[i] ?? 0) << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0));
  }
  return seen.size;
}

/** Logs in through the login form (the session lives in the context's cookies). */
export async function logInThroughForm(page: Page, email: string, password: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel(/email/i).fill(email);
  await page.getByLabel(/password/i).fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith("/login")),
    page.getByRole("button", { name: /log in/i }).click(),
  ]);
}
