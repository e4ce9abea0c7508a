import type { Viewer } from "../layout";
import type { PageApi } from "../session/api";
import type { Application, Product, Review, Trial } from "../wire";
import { productOf } from "./catalog";

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
  // Only a winner has a review to find: the members who load the page during a drop (none
  // of them WON yet) cost no read of Postgres for it.
  const myReview = mine?.application.status === "WON" ? await myReviewOf(api, trial.id) : null;
  return { kind: "found", view: { trial, product, mine, myReview } };
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

async function myReviewOf(api: PageApi, trialId: string): Promise<Review | null> {
  const res = await api.json<Review>("GET", `/trials/${trialId}/reviews/me`);
  return res.status === 200 ? res.body : null;
}
