import { api } from "./http";
import { reviewCalls } from "../shared/reviews";

export { goodReview, REVIEW_KEYS, type Review } from "../shared/reviews";

export const { apply, withdraw, postReview, review, patchReview, deleteReview } = reviewCalls(api);
