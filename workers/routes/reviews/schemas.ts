import * as v from "valibot";
import { Limit } from "../../validation";

const Rating = v.pipe(
  v.number("must be an integer 1..5"),
  v.integer("must be an integer 1..5"),
  v.minValue(1, "must be an integer 1..5"),
  v.maxValue(5, "must be an integer 1..5"),
);
const Title = v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty"), v.maxLength(100));
const Body = v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty"), v.maxLength(5000));

/** No author field: the author is always the caller, and unknown keys are dropped. */
export const CreateReviewBody = v.object({ rating: Rating, title: Title, body: Body });

export const PatchReviewBody = v.pipe(
  v.object({ rating: v.optional(Rating), title: v.optional(Title), body: v.optional(Body) }),
  v.check(
    (p) => Object.values(p).some((x) => x !== undefined),
    "give at least one field to change",
  ),
);

export const ListReviewsQuery = v.object({
  limit: Limit,
  cursor: v.optional(v.string()),
});
