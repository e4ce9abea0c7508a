import { expect } from "vitest";
import type { Api } from "./api";

/** API.md's Review, as both suites read it back. */
export interface Review {
  id: string;
  trialId: string;
  productId: string;
  userId: string;
  rating: number;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

/** Exactly the keys a Review carries, sorted: no more (no internal columns), no fewer. */
export const REVIEW_KEYS = [
  "id",
  "trialId",
  "productId",
  "userId",
  "rating",
  "title",
  "body",
  "createdAt",
  "updatedAt",
].sort();

export const goodReview = { rating: 4, title: "Worth trying", body: "It did what it said." };

interface Caller {
  token: string;
}

/** The review flow's calls over whichever transport a suite uses (in-process or HTTP). */
export function reviewCalls(api: Api) {
  const postReview = (trialId: string, user: Caller, body: unknown = goodReview) =>
    api("POST", `/v1/trials/${trialId}/reviews`, { token: user.token, body });
  return {
    /** Applies; the application must be created. */
    async apply(trialId: string, member: Caller) {
      const res = await api("POST", `/v1/trials/${trialId}/applications`, {
        token: member.token,
        body: {},
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body as { id: string; status: string };
    },
    withdraw: (trialId: string, member: Caller) =>
      api("DELETE", `/v1/trials/${trialId}/applications/me`, { token: member.token }),
    postReview,
    /** Posts a review that must be accepted, and returns it. */
    async review(trialId: string, user: Caller, body: unknown = goodReview): Promise<Review> {
      const res = await postReview(trialId, user, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body as Review;
    },
    patchReview: (id: string, user: Caller, body: unknown) =>
      api<Review>("PATCH", `/v1/reviews/${id}`, { token: user.token, body }),
    deleteReview: (id: string, user: Caller) =>
      api("DELETE", `/v1/reviews/${id}`, { token: user.token }),
  };
}
