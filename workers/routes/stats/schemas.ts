import * as v from "valibot";
import { cursorField, defineCursor } from "../../lib/cursor";
import { Limit } from "../../validation";

export const CompanyStatsQuery = v.object({
  limit: Limit,
  cursor: v.optional(v.string()),
});

/** The company list is ordered by trial id: its cursor is the last id shown. */
export const TrialIdCursor = defineCursor({ trialId: cursorField.id });
