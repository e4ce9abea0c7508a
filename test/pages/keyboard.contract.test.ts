import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  base,
  expectNoProblems,
  type GuardedContext,
  guardedContext,
  hasBrowser,
  launchBrowser,
  PHONE,
  screenshot,
  seriousViolations,
} from "../support/contract/browser";
import { api, target } from "../support/contract/client";
import { createTrial, createUser, FIXTURE_PASSWORD, waitFor } from "../support/contract/fixtures";

/**
 * Keyboard-only use (issue 18): after `page.goto` every step is a key press — Tab, Shift+Tab,
 * Enter, Space, arrows and typing into the field Tab reached. No clicks, no `fill`: what a
 * reader without a pointer can do, the test does, and sees each focused element drawn with a
 * focus indicator. On a phone no page scrolls sideways.
 */

/** What has focus now, as the test needs to know it. */
type Focused = {
  tag: string;
  id: string;
  name: string;
  type: string;
  text: string;
  className: string;
  href: string;
  /** The focus is drawn: an outline or a box shadow. */
  indicated: boolean;
  /** Inside the viewport, so a sighted keyboard user sees where they are. */
  onScreen: boolean;
};

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    // Typed here: the Node test sees no DOM library.
    type El = {
      tagName: string;
      id: string;
      className: string;
      textContent: string | null;
      getAttribute(name: string): string | null;
      getBoundingClientRect(): { left: number; top: number; right: number; bottom: number };
    };
    type Style = { outlineStyle: string; outlineWidth: string; boxShadow: string };
    const g = globalThis as unknown as {
      document: { activeElement: El | null };
      getComputedStyle(el: El): Style;
      innerWidth: number;
      innerHeight: number;
    };
    const el = g.document.activeElement;
    if (!el) {
      return {
        tag: "",
        id: "",
        name: "",
        type: "",
        text: "",
        className: "",
        href: "",
        indicated: false,
        onScreen: false,
      };
    }
    const style = g.getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      name: el.getAttribute("name") ?? "",
      type: el.getAttribute("type") ?? "",
      text: (el.textContent ?? "").trim(),
      className: String(el.className),
      href: el.getAttribute("href") ?? "",
      indicated:
        (style.outlineStyle !== "none" && style.outlineWidth !== "0px") ||
        style.boxShadow !== "none",
      onScreen:
        rect.right > 0 && rect.bottom > 0 && rect.left < g.innerWidth && rect.top < g.innerHeight,
    };
  });
}

/**
 * Presses Tab (or Shift+Tab) until `wanted` has focus, checking on the way that every
 * element that took focus showed it. Gives up after `max` presses.
 */
async function tabTo(
  page: Page,
  wanted: (f: Focused) => boolean,
  what: string,
  opts: { max?: number; back?: boolean } = {},
): Promise<Focused[]> {
  const passed: Focused[] = [];
  for (let i = 0; i < (opts.max ?? 40); i++) {
    await page.keyboard.press(opts.back ? "Shift+Tab" : "Tab");
    const now = await focused(page);
    passed.push(now);
    expect(now.indicated, `focus is visible on <${now.tag}> "${now.text || now.name}"`).toBe(true);
    if (wanted(now)) return passed;
  }
  throw new Error(
    `${what}: not reached by Tab; passed ${passed.map((f) => `${f.tag}:${f.text || f.name}`).join(", ")}`,
  );
}

/** Logs in on /login with the keyboard only: Tab to each field, type, Enter submits. */
async function logInByKeyboard(page: Page, email: string, password: string) {
  await page.goto(`${base}/login`);
  await tabTo(page, (f) => f.name === "email", "the email field");
  await page.keyboard.type(email);
  await tabTo(page, (f) => f.name === "password", "the password field", { max: 1 });
  await page.keyboard.type(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith("/login")),
    page.keyboard.press("Enter"),
  ]);
}

describe.runIf(hasBrowser)(`keyboard-only use in Chromium (${target})`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const context = (opts: { viewport?: typeof PHONE } = {}) => guardedContext(browser, opts);

  /** Every page of the context stayed on this origin and had no error (CSP included). */
  async function closeClean(guarded: GuardedContext) {
    await guarded.close();
    expectNoProblems(guarded);
  }

  it("on /, the first Tab is a visible skip link to <main>; Tab reaches every nav link and the language switch", async () => {
    // Something to list, so <main> has a link of its own.
    const company = await createUser("COMPANY");
    await createTrial(company);
    const guarded = await context();
    const page = await guarded.newPage();
    await page.goto(`${base}/`);

    await page.keyboard.press("Tab");
    const skip = await focused(page);
    expect(skip.className).toContain("skip-link");
    expect(skip.text).toBe("Skip to content");
    expect(skip.onScreen, "the skip link shows when focused").toBe(true);
    expect(skip.indicated).toBe(true);
    await screenshot(page, "keyboard-skip-link-laptop");
    await page.keyboard.press("Enter");
    const main = await focused(page);
    expect(main.tag).toBe("main");
    // From <main>, the next Tab goes on inside the content, not back to the header.
    await page.keyboard.press("Tab");
    const afterMain = await page.evaluate(() => {
      type El = { closest(s: string): unknown };
      const doc = (globalThis as unknown as { document: { activeElement: El | null } }).document;
      return doc.activeElement?.closest("main") !== null;
    });
    expect(afterMain, "Tab after the skip link stays in the content").toBe(true);

    // Again from the top: through the header, every link in order.
    await page.goto(`${base}/`);
    await page.keyboard.press("Tab"); // the skip link
    const passed = await tabTo(page, (f) => f.text === "한국어", "the language switch");
    expect(passed.map((f) => f.href)).toEqual([
      "/",
      "/",
      "/login",
      "/signup",
      "/?lang=en",
      "/?lang=ko",
    ]);
    // Shift+Tab walks back the same way.
    const back = await tabTo(page, (f) => f.className.includes("brand"), "the brand", {
      back: true,
    });
    expect(back.map((f) => f.href)).toEqual(["/?lang=en", "/signup", "/login", "/", "/"]);
    // Enter on the language link switches the page's language.
    await tabTo(page, (f) => f.text === "한국어", "the language switch");
    await Promise.all([page.waitForURL(`${base}/?lang=ko`), page.keyboard.press("Enter")]);
    expect(await page.getAttribute("html", "lang")).toBe("ko");
    expect(await seriousViolations(page), "/ in Korean").toEqual([]);
    await screenshot(page, "keyboard-home-ko-laptop");
    await closeClean(guarded);
  });

  it("a member logs in by keyboard only and lands signed in", async () => {
    const member = await createUser("MEMBER");
    const guarded = await context();
    const page = await guarded.newPage();
    await logInByKeyboard(page, member.email, FIXTURE_PASSWORD);
    expect(new URL(page.url()).pathname).toBe("/");
    await expect(page.locator(".signed-in").textContent()).resolves.toContain("Signed in as");
    // The signed-in header: My applications and the log-out button are reachable too.
    await page.keyboard.press("Tab"); // the skip link
    const passed = await tabTo(page, (f) => f.text === "Log out", "the log-out button");
    expect(passed.map((f) => f.text)).toEqual(["Try-it", "Trials", "My applications", "Log out"]);
    expect(await seriousViolations(page), "/ signed in").toEqual([]);
    await screenshot(page, "keyboard-signed-in-laptop");
    await closeClean(guarded);
  });

  it("on an open trial a member applies with Enter, hears WON, and reviews with arrows and typing", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2 });
    const member = await createUser("MEMBER");
    const guarded = await context();
    const page = await guarded.newPage();
    await logInByKeyboard(page, member.email, FIXTURE_PASSWORD);
    await page.goto(`${base}/trials/${trial.id}`);
    // The script keeps the button off until the server's clock says open; it is open now.
    await page.waitForFunction(
      () => {
        type Doc = { querySelector(s: string): { disabled?: boolean } | null };
        const doc = (globalThis as unknown as { document: Doc }).document;
        return doc.querySelector("[data-apply-button]")?.disabled === false;
      },
      undefined,
      { timeout: 10_000 },
    );
    expect(await seriousViolations(page), "the trial page before applying").toEqual([]);
    await screenshot(page, "keyboard-trial-open-laptop");

    await tabTo(page, (f) => f.text === "Apply now", "the apply button");
    await page.keyboard.press("Enter");
    const status = page.locator('[data-result] [data-field="status"]');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe("You won a place");
    // Focus is not lost with the hidden button: it lands on the result's heading, and the
    // status itself is in a live region.
    const landed = await focused(page);
    expect(landed.id).toBe("result-heading");
    expect(landed.indicated).toBe(true);
    await expect(
      page.locator('[data-result] [aria-live="polite"]').locator('[data-field="status"]').count(),
    ).resolves.toBe(1);
    expect(await seriousViolations(page), "the trial page after applying").toEqual([]);
    await screenshot(page, "keyboard-trial-won-laptop");

    // The next Tab is the receipt's disclosure; Space opens it.
    const summary = await tabTo(page, () => true, "the next element", { max: 1 });
    expect(summary[0]?.text).toBe("Your signed receipt");
    const receipt = page.locator("[data-receipt]");
    await expect
      .poll(() => receipt.textContent(), { timeout: 5_000 })
      .toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await expect(receipt.isVisible()).resolves.toBe(false);
    await page.keyboard.press("Space");
    await expect(receipt.isVisible()).resolves.toBe(true);

    // The review form: Tab reaches the rating radios; arrows choose.
    await tabTo(page, (f) => f.name === "rating", "the rating radios");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    const rating = await page.evaluate(() => {
      type Doc = { querySelector(s: string): { value: string } | null };
      const doc = (globalThis as unknown as { document: Doc }).document;
      return doc.querySelector('input[name="rating"]:checked')?.value ?? null;
    });
    expect(rating).toBe("4");
    // One Tab leaves the radio group for the title.
    await tabTo(page, (f) => f.name === "title", "the review title", { max: 1 });
    await page.keyboard.type("Works by keyboard");
    await tabTo(page, (f) => f.name === "body", "the review body", { max: 1 });
    await page.keyboard.type("Every step without a mouse.");
    await tabTo(page, (f) => f.text === "Publish the review", "the review's button", { max: 1 });
    await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
    const alerts = await page.locator('[role="alert"]').allTextContents();
    expect(page.url(), `refused: ${alerts.join(" ")}`).toBe(`${base}/trials/${trial.id}`);
    await expect(page.getByText("You rated it 4 of 5.").isVisible()).resolves.toBe(true);

    // Stored: the API lists it.
    const stored = await waitFor(
      async () => {
        const res = await api("GET", `/v1/trials/${trial.id}/reviews`);
        const mine = (res.body.items ?? []).find((r: { userId: string }) => r.userId === member.id);
        return mine ?? undefined;
      },
      { what: "the review in the API" },
    );
    expect(stored).toMatchObject({
      rating: 4,
      title: "Works by keyboard",
      body: "Every step without a mouse.",
    });
    expect(await seriousViolations(page), "the trial page after the review").toEqual([]);
    await screenshot(page, "keyboard-trial-reviewed-laptop");
    await closeClean(guarded);
  });

  it("on a phone, /, /login and a trial page do not scroll sideways", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    const guarded = await context({ viewport: PHONE });
    const page = await guarded.newPage();
    const pages = [
      ["/", "keyboard-home-phone"],
      ["/login", "keyboard-login-phone"],
      [`/trials/${trial.id}`, "keyboard-trial-anonymous-phone"],
    ] as const;
    for (const [path, name] of pages) {
      await page.goto(`${base}${path}`);
      expect(await scrollWidth(page), `${path} on a phone`).toBeLessThanOrEqual(PHONE.width);
      expect(await seriousViolations(page), `${path} on a phone`).toEqual([]);
      await screenshot(page, name);
    }
    // Signed in (by keyboard), the trial page with the apply button: still no sideways scroll,
    // and the skip link shows on the small screen too.
    await logInByKeyboard(page, member.email, FIXTURE_PASSWORD);
    await page.goto(`${base}/trials/${trial.id}`);
    await page.keyboard.press("Tab");
    const skip = await focused(page);
    expect(skip.className).toContain("skip-link");
    expect(skip.onScreen).toBe(true);
    expect(await scrollWidth(page), "the member's trial page on a phone").toBeLessThanOrEqual(
      PHONE.width,
    );
    expect(await seriousViolations(page), "the member's trial page on a phone").toEqual([]);
    await screenshot(page, "keyboard-trial-member-phone");
    await closeClean(guarded);
  });
});

function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => {
    type Doc = { documentElement: { scrollWidth: number } };
    return (globalThis as unknown as { document: Doc }).document.documentElement.scrollWidth;
  });
}
