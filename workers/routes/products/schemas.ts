import * as v from "valibot";
import { Limit, Uuid } from "../../validation";

export const CreateProductBody = v.object({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty"), v.maxLength(100)),
  description: v.optional(v.pipe(v.string(), v.maxLength(5000)), ""),
  category: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(50)))),
  companyId: v.optional(Uuid),
  imageIds: v.optional(v.pipe(v.array(Uuid), v.maxLength(10, "at most 10 images"))),
});

export const ListProductsQuery = v.object({
  q: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100))),
  category: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(50))),
  companyId: v.optional(Uuid),
  limit: Limit,
  cursor: v.optional(v.string()),
});

export const PatchProductBody = v.pipe(
  v.object({
    name: v.optional(
      v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty"), v.maxLength(100)),
    ),
    description: v.optional(v.pipe(v.string(), v.maxLength(5000))),
    category: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(50)))),
    imageIds: v.optional(v.pipe(v.array(Uuid), v.maxLength(10, "at most 10 images"))),
  }),
  v.check(
    (p) => Object.values(p).some((x) => x !== undefined),
    "give at least one field to change",
  ),
);
