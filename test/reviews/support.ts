import { expect } from "vitest";
import type { TestUser } from "../helpers/fixtures";
import { api } from "../helpers/http";

export const goodReview = { rating: 4, title: "Worth trying", body: "It did what it said." };

export const apply = async (trialId: string, member: TestUser) => {
  const res = await api("POST", `/v1/trials/${trialId}/applications`, { token: member.token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; status: string };
};

export const withdraw = (trialId: string, member: TestUser) =>
  api("DELETE", `/v1/trials/${trialId}/applications/me`, { token: member.token });

export const postReview = (trialId: string, user: TestUser, body: unknown = goodReview) =>
  api("POST", `/v1/trials/${trialId}/reviews`, { token: user.token, body });

/** Posts a review that must succeed and returns it. */
export async function review(trialId: string, user: TestUser, body: unknown = goodReview) {
  const res = await postReview(trialId, user, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Review;
}

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
