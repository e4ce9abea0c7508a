import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { cursorField, defineCursor } from "./cursor";

/**
 * Newest-first keyset pagination over (created_at, id): stable under inserts, no OFFSET
 * scans. The cursor holds the last row's key.
 */
export const CreatedCursor = defineCursor({ t: cursorField.instant, id: cursorField.id });

export type CreatedKey = { t: number; id: string };

export function olderThan(createdAt: AnyColumn, id: AnyColumn, key: CreatedKey): SQL {
  return sql`(${createdAt}, ${id}) < (${new Date(key.t)}, ${key.id})`;
}

export const createdKeyOf = (row: { createdAt: Date; id: string }): CreatedKey => ({
  t: row.createdAt.getTime(),
  id: row.id,
});

/** ILIKE pattern matching `text` literally anywhere (%, _ and \ in user input are escaped). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
