import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshEmail, PASSWORD } from "../support/contract/accounts";
import {
  base,
  expectNoProblems,
  guardedContext,
  hasBrowser,
  LAPTOP,
  launchBrowser,
  PHONE,
  screenshot,
  seriousViolations,
} from "../support/contract/browser";
import { api, target } from "../support/contract/client";
import { createTrial, createUser } from "../support/contract/fixtures";

/**
 * The pages anyone can open (issue 18): the trials list at `/` (what `npm start` shows),
 * log-in and sign-up, in English and Korean, on a laptop and a phone; their headers, their
 * session cookies, and what a browser sees of them.
 */

describe("pages over HTTP", () => {
  it("GET / is the trials page, under a CSP that admits this origin only", async () => {
    const res = await fetch(`${base}/`, { headers: { "accept-language": "en" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html\b/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/\sstyle="/); // no inline style
    const script = html.match(/src="(\/assets\/app\.js\?v=[0-9a-f]+)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript\b/);
    expect(asset.headers.get("cache-control")).toMatch(/immutable/);
  });

  it("speaks Korean to a Korean browser, and keeps a chosen language in a cookie", async () => {
    const ko = await fetch(`${base}/`, { headers: { "accept-language": "ko-KR,ko;q=0.9" } });
    expect(await ko.text()).toContain('<html lang="ko">');
    const chosen = await fetch(`${base}/login?lang=en`, {
      headers: { "accept-language": "ko-KR" },
    });
    expect(await chosen.text()).toContain('<html lang="en">');
    const cookie = chosen.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/lang=en/);
  });

  it("logs in by form into HttpOnly, SameSite=Strict cookies; a wrong password is shown, not a 500", async () => {
    const email = freshEmail("page");
    const created = await api("POST", "/v1/auth/signup", {
      body: { email, password: PASSWORD, name: "Page Reader" },
    });
    expect(created.status).toBe(201);
    const form = (password: string) =>
      fetch(`${base}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
        body: new URLSearchParams({ email, password }),
      });
    const wrong = await form("not the password");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('role="alert"');

    const right = await form(PASSWORD);
    expect(right.status).toBe(303);
    const cookies = right.headers.getSetCookie();
    const access = cookies.find((c) => c.startsWith("tryit_access="));
    expect(access).toMatch(/HttpOnly/i);
    expect(access).toMatch(/SameSite=Strict/i);
    expect(cookies.find((c) => c.startsWith("tryit_refresh="))).toMatch(/HttpOnly/i);
  });

  it("refuses a form posted from another site (CSRF)", async () => {
    const res = await fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://evil.example",
      },
      body: new URLSearchParams({ email: "a@b.test", password: "whatever1" }),
    });
    expect(res.status).toBe(403);
  });

  it("answers a person's browser with a page for an unknown address, an API client with JSON", async () => {
    const browser = await fetch(`${base}/no-such-page`, {
      headers: { accept: "text/html,application/xhtml+xml", "accept-language": "ko" },
    });
    expect(browser.status).toBe(404);
    expect(browser.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await browser.text();
    expect(html).toContain('<html lang="ko">');
    expect(html).toContain('href="/"');
    const client = await api("GET", "/no-such-page");
    expect(client.status).toBe(404);
    expect(client.body).toMatchObject({ error: { code: "NOT_FOUND" } });
    const apiPath = await fetch(`${base}/v1/no-such-route`, { headers: { accept: "text/html" } });
    expect(apiPath.status).toBe(404);
    expect(apiPath.headers.get("content-type")).toMatch(/json/);
  });

  it("the session proxy acts as the signed-in member and as nobody without a session", async () => {
    const anonymous = await fetch(`${base}/session/v1/users/me`);
    expect(anonymous.status).toBe(401);
  });
});

describe.runIf(hasBrowser)(`pages in Chromium (${target})`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    // Something to list: an open trial and a scheduled one.
    const company = await createUser("COMPANY");
    await createTrial(company);
    await createTrial(company, { opensAt: new Date(Date.now() + 3_600_000) });
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const [size, viewport] of [
    ["laptop", LAPTOP],
    ["phone", PHONE],
  ] as const) {
    for (const locale of ["en-US", "ko-KR"]) {
      it(`/, /login, /signup and a page not found pass axe with nothing from another origin (${size}, ${locale})`, async () => {
        const guarded = await guardedContext(browser, { viewport, locale });
        const page = await guarded.newPage();
        for (const path of ["/", "/login", "/signup", "/no-such-page"]) {
          await page.goto(`${base}${path}`);
          expect(await page.getAttribute("html", "lang")).toBe(locale.slice(0, 2));
          expect(await seriousViolations(page), `${path} (${size}, ${locale})`).toEqual([]);
          await screenshot(
            page,
            `public${path === "/" ? "-trials" : path.replace("/", "-")}-${size}-${locale}`,
          );
        }
        await guarded.close();
        expectNoProblems(guarded);
      });
    }
  }

  it("signs up a member through the form, who is then signed in and can log out", async () => {
    const guarded = await guardedContext(browser);
    const page = await guarded.newPage();
    await page.goto(`${base}/signup`);
    await page.getByLabel("Name").fill("Browser Member");
    await page.getByLabel("Email").fill(freshEmail("browser"));
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.waitForURL(`${base}/`);
    await expect(page.getByText("Signed in as Browser Member").isVisible()).resolves.toBe(true);
    const cookies = await guarded.context.cookies();
    expect(cookies.find((c) => c.name === "tryit_access")?.httpOnly).toBe(true);
    // No script can read the session.
    expect(await page.evaluate("document.cookie")).not.toContain("tryit_");

    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(`${base}/`);
    await expect(page.getByRole("link", { name: "Log in" }).isVisible()).resolves.toBe(true);
    await guarded.close();
    expectNoProblems(guarded);
  });
});
