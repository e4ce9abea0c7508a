import type { Browser, Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshEmail, logIn, PASSWORD } from "../support/contract/accounts";
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
import { api, errorCode, target } from "../support/contract/client";
import {
  createUser,
  createUsers,
  FIXTURE_PASSWORD,
  sql,
  type TestUser,
  waitFor,
} from "../support/contract/fixtures";

/**
 * The company's pages (issue 18) in Chromium: a company signs up, creates a product with a
 * picture and a trial through the forms, watches the trial's drop on the live console while
 * thirty members apply at once (the console fills and closes without a reload, its charts
 * drawn), changes and cancels a scheduled trial, and reads the statistics as charts. Every
 * page passes axe on a laptop and on a phone, is photographed, and fetches nothing from
 * another origin. Members and anonymous visitors are kept out.
 */

/** A small real PNG: a 24×24 gradient (the API checks the bytes match the type). */
function tinyPng(): Buffer {
  const png = new PNG({ width: 24, height: 24 });
  for (let y = 0; y < 24; y++) {
    for (let x = 0; x < 24; x++) {
      const i = (y * 24 + x) * 4;
      png.data[i] = x * 10;
      png.data[i + 1] = y * 10;
      png.data[i + 2] = 180;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/**
 * A `datetime-local` value in UTC, to the second (the forms read their times as UTC), written
 * as Chromium writes it back: without ":00" seconds, which playwright's fill would otherwise
 * call a malformed value (once a minute, when the time falls on a whole minute).
 */
const utcInput = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/:00$/, "");

/** The canvas a chart draws on, as far as these checks need it (this file has no DOM lib). */
type Canvas = {
  width: number;
  height: number;
  getContext(kind: "2d"): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  } | null;
};

/** Pixels of the accent colour (the charts' measure) on a chart's canvas: what was drawn. */
async function accentPixels(page: Page, chartId: string): Promise<number> {
  const canvas = page.locator(`#${chartId} canvas`);
  await canvas.waitFor();
  return canvas.evaluate((element) => {
    const canvas = element as unknown as Canvas;
    const context = canvas.getContext("2d");
    if (!context) return -1;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0, data[i + 3] ?? 0];
      // --accent is #0b5cad; bars are drawn in it at 80 % opacity.
      if (a > 100 && r < 60 && g > 60 && g < 130 && b > 140) count++;
    }
    return count;
  });
}

/** Waits until each named figure of the console reads as given. */
async function figuresRead(page: Page, expected: Record<string, string>, timeoutMs: number) {
  await waitFor(
    async () => {
      for (const [name, text] of Object.entries(expected)) {
        if ((await page.locator(`[data-figure="${name}"]`).textContent()) !== text) return;
      }
      return true;
    },
    { what: `the console's figures ${JSON.stringify(expected)}`, timeoutMs },
  );
}

async function audit(page: Page, name: string) {
  expect(await seriousViolations(page), name).toEqual([]);
  await screenshot(page, name);
}

/** Submits the page's form with its button and waits for the next page. */
async function submit(page: Page, button: string, url: (u: URL) => boolean) {
  await Promise.all([page.waitForURL(url), page.getByRole("button", { name: button }).click()]);
}

/** A page session's cookie header, from the login form (fixture users know FIXTURE_PASSWORD). */
async function sessionOf(user: TestUser): Promise<string> {
  const login = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
    body: new URLSearchParams({ email: user.email, password: FIXTURE_PASSWORD }),
  });
  expect(login.status).toBe(303);
  return login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("company pages over HTTP", () => {
  it("sends nobody signed in to log in, and shows a member a 403", async () => {
    const anonymous = await fetch(`${base}/company/trials/new?productId=x`, { redirect: "manual" });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe(
      `/login?next=${encodeURIComponent("/company/trials/new?productId=x")}`,
    );

    const cookie = await sessionOf(await createUser("MEMBER"));
    for (const path of ["/company", "/company/products/new"]) {
      const res = await fetch(`${base}${path}`, {
        headers: { cookie, "accept-language": "en" },
      });
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain("This page is not for your account.");
    }
  });

  it("a refused product keeps no picture: the upload is removed, the API's reason shown", async () => {
    const company = await createUser("COMPANY");
    const form = new FormData();
    form.set("name", "x".repeat(101)); // the API allows 100
    form.set("description", "");
    form.set("image", new Blob([tinyPng()], { type: "image/png" }), "pillow.png");
    const res = await fetch(`${base}/company/products/new`, {
      method: "POST",
      headers: { cookie: await sessionOf(company), origin: base, "accept-language": "en" },
      body: form,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('role="alert"');
    const kept = await sql("SELECT 1 FROM images WHERE owner_id = $1 AND deleted_at IS NULL", [
      company.id,
    ]);
    expect(kept).toEqual([]);
  });
});

describe.runIf(hasBrowser)(`company pages in Chromium (${target})`, () => {
  let browser: Browser;
  let admin: TestUser;
  let members: TestUser[];
  const email = freshEmail("company-pages");
  /** Filled in by the first test, visited again on a phone by the second. */
  const visited: { name: string; path: string }[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    [admin, members] = await Promise.all([createUser("ADMIN"), createUsers("MEMBER", 33)]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("signs up, creates a product with a picture and a trial, and watches the drop fill and close live", async () => {
    const guarded = await guardedContext(browser);
    const page = await guarded.newPage();

    // Sign-up as a company lands on the dashboard, empty.
    await page.goto(`${base}/signup`);
    await page.getByLabel("Name").fill("Pages Company");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("A company that runs trials").check();
    await submit(page, "Sign up", (u) => u.pathname === "/company");
    await audit(page, "company-dashboard-empty");
    await page.goto(`${base}/company/trials/new`); // no product yet: the way to make one
    await page.getByText("create a product first").waitFor();
    await audit(page, "company-trial-new-no-product");
    await page.goto(`${base}/company`);

    // A product with a picture. A file that is not the picture it claims is refused first.
    await page.getByRole("link", { name: "New product" }).click();
    await page.waitForURL((u) => u.pathname === "/company/products/new");
    await audit(page, "company-product-new");
    await page.getByLabel("Product name", { exact: true }).fill("Cloud Pillow");
    await page.getByLabel("Description", { exact: true }).fill("A pillow for testing sleep.");
    await page.getByLabel("Category", { exact: true }).fill("home");
    const picture = page.getByLabel("Picture", { exact: true });
    await picture.setInputFiles({
      name: "fake.png",
      mimeType: "image/png",
      buffer: Buffer.from("not a png at all"),
    });
    await page.getByRole("button", { name: "Create product" }).click();
    await page.getByRole("alert").waitFor();
    await audit(page, "company-product-refused");
    await page.getByLabel("Picture", { exact: true }).setInputFiles({
      name: "pillow.png",
      mimeType: "image/png",
      buffer: tinyPng(),
    });
    await page.locator("#image-preview:not([hidden])").waitFor(); // the chosen picture, shown
    await submit(page, "Create product", (u) => u.pathname === "/company/trials/new");
    const productId = new URL(page.url()).searchParams.get("productId") ?? "";
    const product = await api("GET", `/v1/products/${productId}`);
    expect(product.status).toBe(200);
    expect(product.body.images).toHaveLength(1);

    // A trial through the form: 20 places and 10 on the waitlist, opening in a few seconds.
    await audit(page, "company-trial-new");
    expect(await page.getByLabel("Product", { exact: true }).inputValue()).toBe(productId);
    const opensAt = Math.ceil((Date.now() + 9_000) / 1000) * 1000;
    await page.getByLabel("Title", { exact: true }).fill("Pillow drop");
    await page.getByLabel("Description", { exact: true }).fill("Thirty people, twenty pillows.");
    await page.getByLabel("Places", { exact: true }).fill("20");
    await page.getByLabel("Waitlist places", { exact: true }).fill("10");
    await page.getByLabel("Opens at (UTC)").fill(utcInput(opensAt));
    await page.getByLabel("Closes at (UTC)").fill(utcInput(opensAt + 3_600_000));
    await submit(page, "Create trial", (u) =>
      /^\/company\/trials\/[0-9a-f-]{36}$/.test(u.pathname),
    );
    const trialId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    const created = await api("GET", `/v1/trials/${trialId}`);
    expect(created.body).toMatchObject({
      title: "Pillow drop",
      slots: 20,
      waitlistSize: 10,
      ordering: "strict",
      opensAt: new Date(opensAt).toISOString(),
      status: "SCHEDULED",
    });

    // The console before the drop; the script is live.
    await page.locator("#console-connection", { hasText: "Live:" }).waitFor();
    await audit(page, "company-console-before");
    await page.evaluate("window.__notReloaded = true");

    // Thirty members at the same moment once it opens, then three too late.
    await new Promise((r) => setTimeout(r, Math.max(0, opensAt - Date.now() + 300)));
    const apply = (member: TestUser) =>
      api("POST", `/v1/trials/${trialId}/applications`, { token: member.token, body: {} });
    const answers = await Promise.all(members.slice(0, 30).map(apply));
    const outcomes = answers.map((a) => (a.status === 201 ? a.body.status : errorCode(a)));
    expect(outcomes.filter((o) => o === "WON")).toHaveLength(20);
    expect(outcomes.filter((o) => o === "WAITLISTED")).toHaveLength(10);
    const late = await Promise.all(members.slice(30).map(apply));
    expect(late.map(errorCode)).toEqual(["TRIAL_CLOSED", "TRIAL_CLOSED", "TRIAL_CLOSED"]);

    // The console shows it fill and close, live.
    await figuresRead(page, { remaining: "0", waitlisted: "10 / 10", applicants: "30" }, 20_000);
    await page.locator("#console-status", { hasText: "Closed" }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate("window.__notReloaded")).toBe(true);
    await page
      .getByRole("link", { name: "New applications have arrived: show the list again" })
      .waitFor();
    expect(await page.locator("#console-status").textContent()).toBe("Closed (every place taken)");
    expect(Number(await page.locator('[data-figure="peak"]').textContent())).toBeGreaterThan(0);
    await waitFor(
      async () => ((await accentPixels(page, "arrivals-chart")) > 50 ? true : undefined),
      {
        what: "arrival bars on the console's chart",
        timeoutMs: 5_000,
      },
    );
    expect(await accentPixels(page, "fill-chart")).toBeGreaterThan(50);
    await audit(page, "company-console-after");

    // The applications list, in arrival order, 25 a page, once persisted (read from Postgres).
    const rows = page.locator("#applications ~ .table-scroll tbody tr");
    const firstCells = () =>
      rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector("td")?.textContent));
    await waitFor(
      async () => {
        await page.reload();
        return (await firstCells()).length === 25 ? true : undefined;
      },
      { what: "a page of applications on the console", intervalMs: 500 },
    );
    expect(await firstCells()).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    await page.getByRole("link", { name: "Next applications" }).click();
    await page.waitForURL((u) => u.searchParams.has("cursor"));
    expect(await firstCells()).toEqual(["26", "27", "28", "29", "30"]);
    await page.getByRole("link", { name: "First applications" }).waitFor();

    // A scheduled trial changed, then cancelled after the question; the closed one refuses a change.
    await page.goto(`${base}/company/trials/new?productId=${productId}`);
    await page.getByLabel("Title", { exact: true }).fill("Pillow encore");
    await submit(page, "Create trial", (u) =>
      /^\/company\/trials\/[0-9a-f-]{36}$/.test(u.pathname),
    );
    const encoreId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await page.waitForURL((u) => u.pathname.endsWith("/edit"));
    await audit(page, "company-trial-edit");
    await page.getByLabel("Title", { exact: true }).fill("Pillow encore, bigger");
    await page.getByLabel("Places", { exact: true }).fill("40");
    await submit(page, "Save changes", (u) => u.pathname === `/company/trials/${encoreId}`);
    expect((await api("GET", `/v1/trials/${encoreId}`)).body).toMatchObject({
      title: "Pillow encore, bigger",
      slots: 40,
    });
    await page.getByRole("link", { name: "Cancel trial" }).click();
    await page.waitForURL((u) => u.pathname.endsWith("/cancel"));
    await audit(page, "company-trial-cancel");
    await submit(
      page,
      "Yes, cancel the trial",
      (u) => u.pathname === `/company/trials/${encoreId}`,
    );
    expect(await page.locator("#console-status").textContent()).toBe("Cancelled");

    await page.goto(`${base}/company/trials/${trialId}/edit`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("alert").waitFor();
    await audit(page, "company-trial-edit-refused");

    // The dashboard lists both trials and the product with its picture.
    await page.goto(`${base}/company`);
    await page.getByRole("heading", { name: "Cloud Pillow" }).waitFor();
    await page.getByRole("link", { name: "Pillow drop", exact: true }).waitFor();
    await page.getByRole("link", { name: "Pillow encore, bigger", exact: true }).waitFor();
    const pictureLoaded = await page.locator(".company-product img").evaluate((element) => {
      const img = element as unknown as { complete: boolean; naturalWidth: number };
      return img.complete && img.naturalWidth === 24;
    });
    expect(pictureLoaded).toBe(true);
    await audit(page, "company-dashboard");

    // Five winners review it, for the statistics' ratings chart.
    const winners = members.slice(0, 30).filter((_, i) => outcomes[i] === "WON");
    await Promise.all(
      [5, 5, 4, 3, 5].map((rating, i) =>
        waitFor(
          async () => {
            const res = await api("POST", `/v1/trials/${trialId}/reviews`, {
              token: winners[i]?.token,
              body: { rating, title: `Rated ${rating}`, body: "Slept well." },
            });
            return res.status === 201 ? true : undefined;
          },
          { what: `review ${i + 1}` },
        ),
      ),
    );

    // The statistics, once built (a rebuild by an ADMIN, as the stats tests do).
    const { accessToken } = (await logIn(email)).body as { accessToken: string };
    await waitFor(
      async () => {
        await api("POST", "/v1/admin/stats/rebuild", { token: admin.token, body: {} });
        const stats = await api("GET", `/v1/stats/trials/${trialId}`, { token: accessToken });
        return stats.status === 200 && stats.body.applicants === 30 ? true : undefined;
      },
      { what: "the drop's statistics", timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await page.goto(`${base}/company/trials/${trialId}/stats`);
    expect(await accentPixels(page, "stats-fill-chart")).toBeGreaterThan(50);
    expect(await accentPixels(page, "stats-arrivals-chart")).toBeGreaterThan(50);
    await page.locator("#stats-ratings-chart canvas").waitFor();
    expect(await accentPixels(page, "stats-ratings-chart")).toBeGreaterThan(50);
    expect(
      await page.getByRole("img", { name: /Bar chart of ratings/ }).getAttribute("aria-label"),
    ).toBe("Bar chart of ratings: 1 star: 0, 2 stars: 0, 3 stars: 1, 4 stars: 1, 5 stars: 3");
    await page.getByText("4.40", { exact: true }).waitFor();
    await audit(page, "company-stats");

    visited.push(
      { name: "dashboard", path: "/company" },
      { name: "product-new", path: "/company/products/new" },
      { name: "trial-new", path: `/company/trials/new?productId=${productId}` },
      { name: "console", path: `/company/trials/${trialId}` },
      { name: "trial-edit", path: `/company/trials/${encoreId}/edit` },
      { name: "trial-cancel", path: `/company/trials/${trialId}/cancel` },
      { name: "stats", path: `/company/trials/${trialId}/stats` },
    );
    await guarded.close();
    expectNoProblems(guarded);
  });

  it("every company page passes axe on a phone, in Korean", async () => {
    expect(visited.length, "the first test's pages").toBeGreaterThan(0);
    const guarded: GuardedContext = await guardedContext(browser, {
      viewport: PHONE,
      locale: "ko-KR",
    });
    const page = await guarded.newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel("이메일").fill(email);
    await page.getByLabel("비밀번호").fill(PASSWORD);
    await submit(page, "로그인", (u) => !u.pathname.startsWith("/login"));
    for (const { name, path } of visited) {
      await page.goto(`${base}${path}`);
      expect(await page.getAttribute("html", "lang")).toBe("ko");
      if (name === "console" || name === "stats") {
        await page.locator(".chart canvas").first().waitFor();
      }
      // Nothing wider than the phone: no sideways scrolling.
      const overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow, `${name} fits a 375 px screen`).toBeLessThanOrEqual(0);
      await audit(page, `company-${name}-phone-ko`);
    }
    await guarded.close();
    expectNoProblems(guarded);
  });
});
