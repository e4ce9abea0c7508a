import { describe, expect, it } from "vitest";
import { createTrial, createUser, createUsers, type TestUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { apply, goodReview, type Review, review } from "../support/workerd/reviews";

/** A second trial of the same product, so the product's list spans two trials. */
async function anotherTrial(company: TestUser, productId: string): Promise<string> {
  const res = await api("POST", "/v1/trials", {
    token: company.token,
    body: {
      productId,
      title: "Second round",
      description: "Try it again",
      slots: 5,
      waitlistSize: 0,
      opensAt: new Date(Date.now() - 1000).toISOString(),
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Newest first; reviews written in the same millisecond fall back to the id, as the API does. */
const newestFirst = (items: Review[]) =>
  [...items]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
    .map((r) => r.id);

/** Follows nextCursor to the end and returns every page's items. */
async function allPages(path: string, limit: number) {
  const pages: Review[][] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
    const res = await api("GET", `${path}${query}`);
    expect(res.status).toBe(200);
    pages.push(res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}

describe("review lists", () => {
  it("by trial and by product: newest first, paginated, summary over all reviews", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 5 });
    const secondTrialId = await anotherTrial(company, trial.productId);
    const members = await createUsers("MEMBER", 4);

    const empty = await api("GET", `/v1/trials/${trial.id}/reviews`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      items: [],
      nextCursor: null,
      summary: { count: 0, average: null },
    });

    const written: Review[] = [];
    for (const [i, rating] of [5, 4, 4].entries()) {
      const member = members[i];
      if (!member) throw new Error("no member");
      await apply(trial.id, member);
      written.push(await review(trial.id, member, { ...goodReview, rating }));
    }
    const last = members[3];
    if (!last) throw new Error("no member");
    await apply(secondTrialId, last);
    const elsewhere = await review(secondTrialId, last, { ...goodReview, rating: 1 });

    const byTrial = await api("GET", `/v1/trials/${trial.id}/reviews?limit=2`);
    expect(byTrial.status).toBe(200);
    expect(byTrial.body.summary).toEqual({ count: 3, average: 4.33 });
    expect(byTrial.body.items).toHaveLength(2);
    expect(byTrial.body.nextCursor).toEqual(expect.any(String));

    const trialPages = await allPages(`/v1/trials/${trial.id}/reviews`, 2);
    expect(trialPages.map((p) => p.length)).toEqual([2, 1]);
    expect(trialPages.flat().map((r) => r.id)).toEqual(newestFirst(written));

    const byProduct = await api("GET", `/v1/products/${trial.productId}/reviews`);
    expect(byProduct.body.summary).toEqual({ count: 4, average: 3.5 });
    const productPages = await allPages(`/v1/products/${trial.productId}/reviews`, 1);
    expect(productPages.map((p) => p.length)).toEqual([1, 1, 1, 1]);
    expect(productPages.flat().map((r) => r.id)).toEqual(newestFirst([...written, elsewhere]));
    expect(new Set(productPages.flat().map((r) => r.trialId))).toEqual(
      new Set([trial.id, secondTrialId]),
    );
  });

  it("404 for an unknown trial or product; 400 for a bad id, limit or cursor", async () => {
    const unknownTrial = await api("GET", `/v1/trials/${crypto.randomUUID()}/reviews`);
    expect([unknownTrial.status, errorCode(unknownTrial)]).toEqual([404, "TRIAL_NOT_FOUND"]);
    const unknownProduct = await api("GET", `/v1/products/${crypto.randomUUID()}/reviews`);
    expect([unknownProduct.status, errorCode(unknownProduct)]).toEqual([404, "PRODUCT_NOT_FOUND"]);

    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    for (const path of [
      "/v1/trials/not-a-uuid/reviews",
      `/v1/trials/${trial.id}/reviews?limit=0`,
      `/v1/trials/${trial.id}/reviews?limit=101`,
      `/v1/trials/${trial.id}/reviews?cursor=garbage`,
      `/v1/products/${trial.productId}/reviews?cursor=eyJ4IjoxfQ`,
    ]) {
      const res = await api("GET", path);
      expect([res.status, errorCode(res)], path).toEqual([400, "VALIDATION_FAILED"]);
    }
  });
});
