import * as v from "valibot";
import { AppError } from "../errors";

/**
 * Opaque list cursors: base64url JSON of the last item's sort key. Clients must not build
 * them; a cursor that does not decode to the expected shape is a 400, never a 500.
 */
export function encodeCursor(key: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor<S extends v.GenericSchema>(
  cursor: string | undefined,
  schema: S,
): v.InferOutput<S> | null {
  if (cursor === undefined) return null;
  try {
    const b64 = cursor.replace(/-/g, "+").replace(/_/g, "/");
    const s = atob(b64);
    const bytes = Uint8Array.from(s, (ch) => ch.charCodeAt(0));
    const parsed = v.safeParse(schema, JSON.parse(new TextDecoder().decode(bytes)));
    if (parsed.success) return parsed.output;
  } catch {
    // fall through to the error below
  }
  throw new AppError("VALIDATION_FAILED", "The cursor is not valid.", [
    { path: "cursor", message: "not a cursor this list returned" },
  ]);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Rows fetched with limit + 1 tell whether another page exists without a count query. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  present: (r: R) => T,
  keyOf: (r: R) => unknown,
): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return {
    items: shown.map(present),
    nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
