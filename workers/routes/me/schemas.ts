import * as v from "valibot";
import { Limit, Uuid } from "../../validation";

export const ListNotificationsQuery = v.object({
  limit: Limit,
  cursor: v.optional(v.string()),
});

/** The notifications list's cursor: the last row's created_at in epoch milliseconds, and its id. */
export const NotificationCursor = v.object({
  createdMs: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(253_402_300_799_999)),
  id: Uuid,
});
