import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradientPng } from "../../scripts/seed/png";
import { freshEmail, PASSWORD } from "../support/contract/accounts";
import {
  base,
  expectNoProblems,
  guardedContext,
  hasBrowser,
  LAPTOP,
  launchBrowser,
  logInThroughForm,
  PHONE,
  screenshot,
  seriousViolations,
} from "../support/contract/browser";
import { api, target } from "../support/contract/client";
import {
  createTrial,
  createUser,
  FIXTURE_PASSWORD,
  type TestUser,
  waitFor,
} from "../support/contract/fixtures";

/**
 * The member's pages (issue 18): the trial page and my applications. A member signs up,
 * waits on a trial page while the countdown runs by the server's clock, applies the moment
 * it opens and sees WON and the receipt live without a reload; confirms and reviews through
 * the page's forms; without script the same apply works through the form; anonymous and
 * company viewers get no apply button; in English and Korean, on a laptop and a phone.
 */

const JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** A product with a picture, and a trial of it opening `inMs` from now. */
async function trialWithPicture(
  company: TestUser,
  opts: { inMs: number; confirmWithinMinutes?: number; slots?: number },
) {
  const image = await api("POST", "/v1/images", {
    token: company.token,
    raw: gradientPng(64, 48, Math.floor(Math.random() * 360)),
    headers: { "content-type": "image/png" },
  });
  expect(image.status).toBe(201);
  const name = `Kettle ${crypto.randomUUID().slice(0, 6)}`;
  const product = await api("POST", "/v1/products", {
    token: company.token,
    body: { name, description: "A quiet kettle.", imageIds: [image.body.id] },
  });
  expect(product.status).toBe(201);
  const title = `Kettle trial ${crypto.randomUUID().slice(0, 6)}`;
  const opensAt = new Date(Date.now() + opts.inMs);
  const trial = await api("POST", "/v1/trials", {
    token: company.token,
    body: {
      productId: product.body.id,
      title,
      description: "Boil water quietly for two weeks.",
      slots: opts.slots ?? 3,
      waitlistSize: 2,
      opensAt: opensAt.toISOString(),
      closesAt: new Date(opensAt.getTime() + 3_600_000).toISOString(),
      ...(opts.confirmWithinMinutes && { confirmWithinMinutes: opts.confirmWithinMinutes }),
    },
  });
  expect(trial.status).toBe(201);
  return { id: trial.body.id as string, title, productName: name, opensAt };
}

/** The page session of a user, as a Cookie header (for requests without a browser). */
async function sessionCookie(email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
    body: new URLSearchParams({ email, password }),
  });
  expect(res.status).toBe(303);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("the member's pages over HTTP", () => {
  it("an unknown trial is a page saying so (404), not an error", async () => {
    const res = await fetch(`${base}/trials/00000000-0000-4000-8000-000000000000`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("There is no trial at this address.");
    expect((await fetch(`${base}/trials/not-an-id`)).status).toBe(404);
  });

  it("a company sees the trial without an apply button", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const cookie = await sessionCookie(company.email, FIXTURE_PASSWORD);
    const res = await fetch(`${base}/trials/${trial.id}`, {
      headers: { cookie, "accept-language": "en" },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("only members can apply");
    expect(html).not.toContain("data-apply-button");
  });

  it("applying too early through the form shows the API's refusal on the trial page (409)", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { opensAt: new Date(Date.now() + 3_600_000) });
    const member = await createUser("MEMBER");
    const cookie = await sessionCookie(member.email, FIXTURE_PASSWORD);
    const res = await fetch(`${base}/trials/${trial.id}/apply`, {
      method: "POST",
      redirect: "manual",
      // As a browser posts a form without fields.
      headers: {
        cookie,
        origin: base,
        "accept-language": "en",
        "content-type": "application/x-www-form-urlencoded",
      },
    });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain("data-apply-button");
  });

  it("my applications pages by the API's cursor: 21 applications, newest first, then the older one", async () => {
    const company = await createUser("COMPANY");
    const member = await createUser("MEMBER");
    const trials = [];
    // One at a time, so "newest first" has one right answer.
    for (let i = 0; i < 21; i++) {
      const trial = await createTrial(company);
      const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
        token: member.token,
        body: {},
      });
      expect(res.status).toBe(201);
      trials.push(trial);
    }
    // The list is Postgres's: wait until every decision has reached it.
    await waitFor(
      async () => {
        const res = await api("GET", "/v1/me/applications?limit=100", { token: member.token });
        return res.body.items?.length === 21 ? true : undefined;
      },
      { what: "21 applications persisted" },
    );
    const cookie = await sessionCookie(member.email, FIXTURE_PASSWORD);
    const first = await fetch(`${base}/me/applications`, {
      headers: { cookie, "accept-language": "en" },
    });
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(html.match(/<tr>/g)?.length).toBe(21); // the header row and 20 applications
    expect(html).toContain(`href="/trials/${trials[20]?.id}"`);
    expect(html).not.toContain(`href="/trials/${trials[0]?.id}"`);
    const older = html.match(/href="(\/me\/applications\?cursor=[^"]+)"/)?.[1];
    expect(older, "a link to the older applications").toBeDefined();
    const second = await fetch(`${base}${older?.replaceAll("&amp;", "&")}`, {
      headers: { cookie, "accept-language": "en" },
    });
    const rest = await second.text();
    expect(rest.match(/<tr>/g)?.length).toBe(2);
    expect(rest).toContain(`href="/trials/${trials[0]?.id}"`);
    expect(rest).not.toContain("Older applications");
  });

  it("my applications asks a visitor to log in, and tells a company it is for members", async () => {
    const anonymous = await fetch(`${base}/me/applications`, {
      headers: { "accept-language": "en" },
    });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toContain('href="/login?next=%2Fme%2Fapplications"');
    const company = await createUser("COMPANY");
    const cookie = await sessionCookie(company.email, FIXTURE_PASSWORD);
    const res = await fetch(`${base}/me/applications`, {
      headers: { cookie, "accept-language": "en" },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Only member accounts apply to trials.");
  });
});

describe.runIf(hasBrowser)(`the member's pages in Chromium (${target})`, () => {
  let browser: Browser;
  let company: TestUser;
  beforeAll(async () => {
    browser = await launchBrowser();
    company = await createUser("COMPANY");
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("a member signs up, waits on the trial page, applies as it opens and sees WON and the receipt live", async () => {
    const guarded = await guardedContext(browser);
    const page = await guarded.newPage();
    const email = freshEmail("member-page");
    await page.goto(`${base}/signup`);
    await page.getByLabel("Name").fill("Mina Member");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.waitForURL(`${base}/`);

    const trial = await trialWithPicture(company, { inMs: 7_000, confirmWithinMinutes: 60 });
    await page.goto(`${base}/trials/${trial.id}`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(trial.title);
    await expect(
      page.getByRole("img", { name: `Photo of ${trial.productName}` }).isVisible(),
    ).resolves.toBe(true);

    // Waiting: the button is off, the countdown runs by the server's clock.
    const button = page.getByRole("button", { name: "Apply now" });
    await expect(button.isDisabled()).resolves.toBe(true);
    const left = page.locator("time[data-opens-at] .countdown-left");
    await expect.poll(() => left.textContent(), { timeout: 5_000 }).toMatch(/\(00:0\d\)/);
    const before = await left.textContent();
    await expect.poll(() => left.textContent(), { timeout: 3_000 }).not.toBe(before);
    expect(await seriousViolations(page), "the trial page before opening").toEqual([]);
    await screenshot(page, "member-trial-waiting-laptop");

    // Nothing may reload the page from here on: a marker in the window must survive.
    await page.evaluate('window.tryitMarker = "still here"');
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });

    // The button turns on by itself at the opening instant.
    await page.waitForFunction(
      () => {
        // Typed here: the Node test sees no DOM library (a string would be eval, which the CSP refuses).
        type Doc = { querySelector(s: string): { disabled?: boolean } | null };
        const doc = (globalThis as unknown as { document: Doc }).document;
        return !doc.querySelector("[data-apply-button]")?.disabled;
      },
      undefined,
      { timeout: 15_000, polling: 20 },
    );
    const enabledAt = Date.now();
    expect(enabledAt).toBeGreaterThan(trial.opensAt.getTime() - 1_000);
    await button.click();

    const result = page.locator("[data-result]");
    await expect
      .poll(() => result.locator('[data-field="status"]').textContent(), { timeout: 10_000 })
      .toBe("You won a place");
    await expect(result.locator('[data-field="seq"]').textContent()).resolves.toBe(
      "You were applicant number 1.",
    );
    const receipt = result.locator("[data-receipt]");
    await expect.poll(() => receipt.textContent(), { timeout: 5_000 }).toMatch(JWS);
    await result.getByText("Your signed receipt").click();
    await expect(receipt.isVisible()).resolves.toBe(true);
    await expect(result.locator('[data-field="confirm-by"]').isVisible()).resolves.toBe(true);
    expect(await page.evaluate("window.tryitMarker")).toBe("still here");
    expect(navigations).toBe(0);
    // The live room has counted the place.
    await expect
      .poll(() => page.locator('[data-count="won"]').textContent(), { timeout: 5_000 })
      .toBe("1");
    expect(await seriousViolations(page), "the trial page after applying").toEqual([]);
    await screenshot(page, "member-trial-won-laptop");

    // After the win: confirm an address, then review, through the page's forms.
    await page.getByLabel("Recipient's name").fill("Mina Member");
    await page.getByLabel("Phone number").fill("010-1234-5678");
    await page.getByLabel("Address", { exact: true }).fill("1 Quiet Street, Seoul");
    await submitBackTo(page, page.getByRole("button", { name: "Confirm the address" }), trial.id);
    await expect(
      page.locator('[data-field="confirmed"]').isVisible(),
      "the address is confirmed",
    ).resolves.toBe(true);
    await page.getByLabel("4 of 5").check();
    await page.getByLabel("Title").fill("Quiet indeed");
    await page.getByLabel("Your review").fill("It boils without a sound.");
    await submitBackTo(page, page.getByRole("button", { name: "Publish the review" }), trial.id);
    await expect(page.getByText("You rated it 4 of 5.").isVisible()).resolves.toBe(true);
    expect(await seriousViolations(page), "the trial page after the review").toEqual([]);
    await screenshot(page, "member-trial-reviewed-laptop");

    // My applications lists it (from Postgres, which the decision reaches a moment later).
    const listed = page.getByRole("link", { name: trial.title });
    await expect
      .poll(
        async () => {
          await page.goto(`${base}/me/applications`);
          return listed.count();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(1);
    await expect(page.locator("tbody tr").first().textContent()).resolves.toContain("Won");
    expect(await seriousViolations(page), "my applications").toEqual([]);
    await screenshot(page, "member-my-applications-laptop");

    // The same pages on a phone.
    const phone = await guardedContext(browser, { viewport: PHONE });
    const small = await phone.newPage();
    await logInThroughForm(small, email, PASSWORD);
    for (const [path, name] of [
      [`/trials/${trial.id}`, "member-trial-phone"],
      ["/me/applications", "member-my-applications-phone"],
    ] as const) {
      await small.goto(`${base}${path}`);
      expect(await seriousViolations(small), `${path} on a phone`).toEqual([]);
      // Nothing wider than the screen.
      expect(
        await small.evaluate<number>("document.documentElement.scrollWidth"),
      ).toBeLessThanOrEqual(PHONE.width);
      await screenshot(small, name);
    }
    await phone.close();
    await guarded.close();
    expectNoProblems(phone);
    expectNoProblems(guarded);
  });

  it("an anonymous visitor sees the trial, live places and a link to log in and apply", async () => {
    const trial = await trialWithPicture(company, { inMs: -1_000 });
    const guarded = await guardedContext(browser);
    const page = await guarded.newPage();
    await page.goto(`${base}/trials/${trial.id}`);
    const login = page.getByRole("link", { name: "Log in to apply" });
    await expect(login.getAttribute("href")).resolves.toBe(
      `/login?next=${encodeURIComponent(`/trials/${trial.id}`)}`,
    );
    await expect(page.getByRole("button", { name: "Apply now" }).count()).resolves.toBe(0);
    // The public room is open: another member's application shows in the counts.
    const other = await createUser("MEMBER");
    const applied = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: other.token,
      body: {},
    });
    expect(applied.status).toBe(201);
    await expect
      .poll(() => page.locator('[data-count="applicants"]').textContent(), { timeout: 10_000 })
      .toBe("1");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "member-trial-anonymous-laptop");

    // Following the link and logging in comes back to the trial.
    const member = await createUser("MEMBER");
    await login.click();
    await page.getByLabel(/email/i).fill(member.email);
    await page.getByLabel(/password/i).fill(FIXTURE_PASSWORD);
    await Promise.all([
      page.waitForURL(`${base}/trials/${trial.id}`),
      page.getByRole("button", { name: "Log in" }).click(),
    ]);
    await expect(page.getByRole("button", { name: "Apply now" }).isEnabled()).resolves.toBe(true);
    await guarded.close();
    expectNoProblems(guarded);
  });

  it("the waiting position moves and a promotion to WON arrives live, with its new receipt", async () => {
    const trial = await trialWithPicture(company, { inMs: -1_000, slots: 1 });
    const [winner, ahead, member] = await Promise.all([
      createUser("MEMBER"),
      createUser("MEMBER"),
      createUser("MEMBER"),
    ]);
    for (const who of [winner, ahead]) {
      const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
        token: who.token,
        body: {},
      });
      expect(res.status).toBe(201);
    }
    const guarded = await guardedContext(browser, { viewport: PHONE });
    const page = await guarded.newPage();
    await logInThroughForm(page, member.email, FIXTURE_PASSWORD);
    await page.goto(`${base}/trials/${trial.id}`);
    await page.evaluate('window.tryitMarker = "still here"');
    await page.getByRole("button", { name: "Apply now" }).click();
    const result = page.locator("[data-result]");
    const field = (name: string) => result.locator(`[data-field="${name}"]`);
    await expect
      .poll(() => field("status").textContent(), { timeout: 10_000 })
      .toBe("You are on the waiting list");
    await expect(field("position").textContent()).resolves.toBe("Number 2 on the waiting list");
    const receipt = result.locator("[data-receipt]");
    await expect.poll(() => receipt.textContent(), { timeout: 5_000 }).toMatch(JWS);
    const firstReceipt = await receipt.textContent();
    expect(await seriousViolations(page), "waiting, on a phone").toEqual([]);
    await screenshot(page, "member-trial-waitlisted-phone");

    // The one ahead withdraws: the position moves up.
    const withdrawn = await api("DELETE", `/v1/trials/${trial.id}/applications/me`, {
      token: ahead.token,
    });
    expect(withdrawn.status).toBe(200);
    await expect
      .poll(() => field("position").textContent(), { timeout: 10_000 })
      .toBe("Number 1 on the waiting list");

    // The winner withdraws: the member is promoted, with the PROMOTED entry's receipt.
    const released = await api("DELETE", `/v1/trials/${trial.id}/applications/me`, {
      token: winner.token,
    });
    expect(released.status).toBe(200);
    await expect
      .poll(() => field("status").textContent(), { timeout: 10_000 })
      .toBe("You won a place");
    await expect(field("position").isVisible()).resolves.toBe(false);
    await expect.poll(() => receipt.textContent(), { timeout: 5_000 }).not.toBe(firstReceipt);
    await expect(receipt.textContent()).resolves.toMatch(JWS);
    await expect(
      page.getByRole("heading", { name: "Confirm your shipping address" }).isVisible(),
    ).resolves.toBe(true);
    expect(await page.evaluate("window.tryitMarker")).toBe("still here");
    expect(await seriousViolations(page), "promoted, on a phone").toEqual([]);
    await screenshot(page, "member-trial-promoted-phone");
    await guarded.close();
    expectNoProblems(guarded);
  });

  it("without script, a member applies through the form and sees the result after the redirect", async () => {
    const trial = await trialWithPicture(company, { inMs: -1_000 });
    const member = await createUser("MEMBER");
    const { context, offOrigin } = await noScriptContext(browser);
    const page = await context.newPage();
    await page.goto(`${base}/login?next=${encodeURIComponent(`/trials/${trial.id}`)}`);
    await page.getByLabel(/email/i).fill(member.email);
    await page.getByLabel(/password/i).fill(FIXTURE_PASSWORD);
    await Promise.all([
      page.waitForURL(`${base}/trials/${trial.id}`),
      page.getByRole("button", { name: "Log in" }).click(),
    ]);
    await submitBackTo(page, page.getByRole("button", { name: "Apply now" }), trial.id);
    await expect(page.locator('[data-result] [data-field="status"]').textContent()).resolves.toBe(
      "You won a place",
    );
    await expect(page.locator("[data-receipt]").textContent()).resolves.toMatch(JWS);
    await expect(page.getByRole("button", { name: "Apply now" }).count()).resolves.toBe(0);
    await screenshot(page, "member-trial-no-script-won");
    await context.close();
    expect(offOrigin, "requests to other origins").toEqual([]);
  });

  it("speaks Korean with ?lang=ko", async () => {
    const trial = await trialWithPicture(company, { inMs: 3_600_000 });
    const guarded = await guardedContext(browser, { viewport: PHONE, locale: "en-US" });
    const page = await guarded.newPage();
    await page.goto(`${base}/trials/${trial.id}?lang=ko`);
    expect(await page.getAttribute("html", "lang")).toBe("ko");
    await expect(page.getByRole("heading", { name: "모집 현황" }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole("link", { name: "로그인하고 신청하기" }).isVisible()).resolves.toBe(
      true,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "member-trial-ko-phone");
    await guarded.close();
    expectNoProblems(guarded);
  });
});

/**
 * Submits one of the trial page's forms and waits for the page it leads to: the trial page
 * again after the 303 (a refusal stays on the form's address, with the API's message).
 */
async function submitBackTo(page: Page, button: Locator, trialId: string): Promise<void> {
  await Promise.all([page.waitForEvent("load"), button.click()]);
  const alerts = await page.locator('[role="alert"]').allTextContents();
  expect(page.url(), `refused: ${alerts.join(" ")}`).toBe(`${base}/trials/${trialId}`);
}

/**
 * A context with script off (what a reader without JavaScript gets), other origins blocked
 * and recorded as guardedContext does.
 */
async function noScriptContext(
  browser: Browser,
): Promise<{ context: BrowserContext; offOrigin: string[] }> {
  const context = await browser.newContext({
    viewport: LAPTOP,
    locale: "en-US",
    javaScriptEnabled: false,
  });
  const offOrigin: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || url === base) return route.continue();
    offOrigin.push(url);
    return route.abort();
  });
  return { context, offOrigin };
}
