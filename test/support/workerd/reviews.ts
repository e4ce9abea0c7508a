import { reviewCalls } from "../shared/reviews";
import { api } from "./http";

export { goodReview, REVIEW_KEYS, type Review } from "../shared/reviews";

export const { apply, withdraw, postReview, review, patchReview, deleteReview } = reviewCalls(api);
