import type * as v from "valibot";
import type * as R from "../../openapi/responses";
import type { Viewer } from "../layout";
import type { ApiAnswer, PageApi } from "../session/api";
import type { Application, Page, Product, Trial } from "../wire";

export type Review = v.InferOutput<typeof R.Review>;

/** The member's own application on this trial, with its signed receipt when there is one. */
export type MyApplication = { application: Application; receipt: string | null };

/** Everything the trial page shows, read through the API as the viewer. */
export type TrialView = {
  trial: Trial;
  product: Product | null;
  /** Only for a signed-in MEMBER; null when they have not applied. */
  mine: MyApplication | null;
  /** The member's own review of this trial, if they wrote one. */
  myReview: Review | null;
};

export type TrialLoad =
  | { kind: "found"; view: TrialView }
  | { kind: "not-found" }
  | { kind: "unavailable"; status: number };

/**
 * Reviews are listed per trial with no author filter; a winner's own is looked for in the
 * first pages only (a trial has at most as many reviews as winners). Past that, the form is
 * shown and the API's 409 REVIEW_EXISTS says the rest.
 */
const REVIEW_PAGES = 10;

export async function loadTrialView(api: PageApi, id: string, viewer: Viewer): Promise<TrialLoad> {
  const trialRes = await api.json<Trial>("GET", `/trials/${encodeURIComponent(id)}`);
  // A malformed id is 400 to the API; to a person it is an address with no trial.
  if (trialRes.status === 404 || trialRes.status === 400) return { kind: "not-found" };
  if (trialRes.status !== 200) return { kind: "unavailable", status: trialRes.status };
  const trial = trialRes.body;
  const [product, mine] = await Promise.all([
    productOf(api, trial.productId),
    viewer?.role === "MEMBER" ? myApplication(api, trial.id) : null,
  ]);
  const myReview =
    viewer && mine?.application.status === "WON"
      ? await myReviewOf(api, trial.id, viewer.id)
      : null;
  return { kind: "found", view: { trial, product, mine, myReview } };
}

async function productOf(api: PageApi, id: string): Promise<Product | null> {
  const res = await api.json<Product>("GET", `/products/${id}`);
  return res.status === 200 ? res.body : null;
}

/**
 * GET …/applications/me answers the status from the gate (404: none); its receipt comes
 * from …/me/receipt, the same signature the apply answer carried.
 */
async function myApplication(api: PageApi, trialId: string): Promise<MyApplication | null> {
  const [res, receipt] = await Promise.all([
    api.json<Application>("GET", `/trials/${trialId}/applications/me`),
    api.json<{ receipt: string }>("GET", `/trials/${trialId}/applications/me/receipt`),
  ]);
  if (res.status !== 200) return null;
  return { application: res.body, receipt: receipt.status === 200 ? receipt.body.receipt : null };
}

async function myReviewOf(api: PageApi, trialId: string, userId: string): Promise<Review | null> {
  let cursor: string | null = null;
  for (let page = 0; page < REVIEW_PAGES; page++) {
    const query: string = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res: ApiAnswer<Page<Review>> = await api.json<Page<Review>>(
      "GET",
      `/trials/${trialId}/reviews?${query}`,
    );
    if (res.status !== 200) return null;
    const mine = res.body.items.find((r) => r.userId === userId);
    if (mine) return mine;
    cursor = res.body.nextCursor;
    if (!cursor) return null;
  }
  return null;
}
