import * as v from "valibot";
import { Limit, Uuid } from "../../validation";

export const CompanyStatsQuery = v.object({
  limit: Limit,
  cursor: v.optional(v.string()),
});

/** The company list is ordered by trial id: its cursor is the last id shown. */
export const TrialIdCursor = v.object({ trialId: Uuid });
