import * as v from "valibot";
import { Limit } from "../../validation";

export const ListWinnersQuery = v.object({
  limit: Limit,
  cursor: v.optional(v.string()),
});

export const ListDataAccessQuery = v.object({
  limit: Limit,
  cursor: v.optional(v.string()),
});
