import * as v from "valibot";
import { ROLES } from "../../../core/vocabulary/roles";
import { cursorField, defineCursor } from "../../lib/cursor";
import { Limit, oneOf } from "../../validation";

export const ListUsersQuery = v.object({
  role: v.optional(oneOf(ROLES)),
  /** Part of an e-mail or a name, case-insensitive. */
  q: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.minLength(1, "must not be empty"),
      v.maxLength(100, "must be at most 100 characters"),
    ),
  ),
  limit: Limit,
  cursor: v.optional(v.string()),
});

/** The users list's cursor: the last row's created_at in epoch milliseconds, and its id. */
export const UserCursor = defineCursor({ createdMs: cursorField.instant, id: cursorField.id });
