import * as v from "valibot";
import { cursorField, defineCursor } from "../../lib/cursor";
import { Limit } from "../../validation";

export const ListNotificationsQuery = v.object({
  limit: Limit,
  cursor: v.optional(v.string()),
});

/** The notifications list's cursor: the last row's created_at in epoch milliseconds, and its id. */
export const NotificationCursor = defineCursor({
  createdMs: cursorField.instant,
  id: cursorField.id,
});
