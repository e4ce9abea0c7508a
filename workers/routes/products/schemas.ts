import * as v from "valibot";
import { Uuid } from "../../validation";

export const CreateProductBody = v.object({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty"), v.maxLength(100)),
  description: v.optional(v.pipe(v.string(), v.maxLength(5000)), ""),
  category: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(50)))),
  companyId: v.optional(Uuid),
});
