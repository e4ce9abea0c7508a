import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshEmail, PASSWORD } from "../support/contract/accounts";
import {
  base,
  expectNoProblems,
  guardedContext,
  hasBrowser,
  launchBrowser,
  logInThroughForm,
  screenshot,
  seriousViolations,
} from "../support/contract/browser";
import { api, target } from "../support/contract/client";
import {
  createTrial,
  createUser,
  createUsers,
  FIXTURE_PASSWORD,
  type TestUser,
  waitFor,
} from "../support/contract/fixtures";

/**
 * Issue 18's drop, as one scene in two browsers: a member signs up and waits on a trial page
 * that opens during the test; the company watches its console in another browser; when the
 * trial opens the member presses apply while thirty more members apply through the API at
 * the same moment. The member sees WON arrive without a reload, and the console shows the
 * trial fill and close without one. Neither page fetches anything from another origin, and
 * both pass axe before and after.
 */

const MORE_MEMBERS = 30;
const SLOTS = MORE_MEMBERS + 1; // every applicant wins a place: the member's WON is certain

/** Marks the window; the mark survives only if the page is never reloaded. */
const mark = (page: Page) => page.evaluate("window.__dropMark = 'kept'");
const stillMarked = (page: Page) => page.evaluate("window.__dropMark");

describe.runIf(hasBrowser)(`a drop seen by a member and its company (${target})`, () => {
  let browser: Browser;
  let company: TestUser;
  let members: TestUser[];
  beforeAll(async () => {
    browser = await launchBrowser();
    company = await createUser("COMPANY");
    members = await createUsers("MEMBER", MORE_MEMBERS);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("the member sees WON live, the console shows the trial fill and close, nothing reloads", async () => {
    const opensAt = Date.now() + 9_000;
    const trial = await createTrial(company, {
      slots: SLOTS,
      waitlistSize: 0,
      opensAt: new Date(opensAt),
      closesAt: new Date(opensAt + 3_600_000),
    });

    const memberSide = await guardedContext(browser);
    const companySide = await guardedContext(browser);
    const member = await memberSide.newPage();
    const consolePage = await companySide.newPage();

    await member.goto(`${base}/signup`);
    await member.getByLabel("Name").fill("Drop Member");
    await member.getByLabel("Email").fill(freshEmail("drop"));
    await member.getByLabel("Password").fill(PASSWORD);
    await Promise.all([
      member.waitForURL(`${base}/`),
      member.getByRole("button", { name: "Sign up" }).click(),
    ]);
    await member.goto(`${base}/trials/${trial.id}`);
    const apply = member.getByRole("button", { name: "Apply now" });
    await expect(apply.isDisabled()).resolves.toBe(true);

    await logInThroughForm(consolePage, company.email, FIXTURE_PASSWORD);
    await consolePage.goto(`${base}/company/trials/${trial.id}`);
    await consolePage.locator("#console-connection", { hasText: "Live:" }).waitFor();

    for (const [page, name] of [
      [member, "drop-member-waiting"],
      [consolePage, "drop-console-before"],
    ] as const) {
      expect(await seriousViolations(page), name).toEqual([]);
      await screenshot(page, name);
      await mark(page);
    }

    // The opening, by the page's own clock: the button turns itself on.
    await apply.waitFor({ state: "visible" });
    await waitFor(async () => ((await apply.isEnabled()) ? true : undefined), {
      what: "the apply button to turn on at the opening",
      timeoutMs: 20_000,
      intervalMs: 20,
    });
    const viaApi = (m: TestUser) =>
      api("POST", `/v1/trials/${trial.id}/applications`, { token: m.token, body: {} });
    const [, answers] = await Promise.all([apply.click(), Promise.all(members.map(viaApi))]);
    expect(answers.filter((a) => a.status === 201 && a.body.status === "WON")).toHaveLength(
      MORE_MEMBERS,
    );

    // The member: WON, live.
    await expect
      .poll(() => member.locator('[data-result] [data-field="status"]').textContent(), {
        timeout: 15_000,
      })
      .toBe("You won a place");

    // The console: every place taken, closed, live.
    await waitFor(
      async () =>
        (await consolePage.locator('[data-figure="remaining"]').textContent()) === "0" &&
        (await consolePage.locator('[data-figure="applicants"]').textContent()) === String(SLOTS)
          ? true
          : undefined,
      { what: "the console's figures to show the trial full", timeoutMs: 20_000 },
    );
    await consolePage
      .locator("#console-status", { hasText: "Closed" })
      .waitFor({ timeout: 20_000 });
    expect(await consolePage.locator("#console-status").textContent()).toBe(
      "Closed (every place taken)",
    );

    for (const [page, name] of [
      [member, "drop-member-won"],
      [consolePage, "drop-console-full"],
    ] as const) {
      expect(await stillMarked(page), `${name}: not reloaded`).toBe("kept");
      expect(await seriousViolations(page), name).toEqual([]);
      await screenshot(page, name);
    }
    await memberSide.close();
    await companySide.close();
    expectNoProblems(memberSide);
    expectNoProblems(companySide);
  });
});
