import * as v from "valibot";
import { AppError } from "../errors";
import { Uuid } from "../validation";
import { EARLIEST_MS, LATEST_MS } from "./timestamp";

/**
 * Opaque list cursors: base64url JSON of the last item's sort key. Clients must not build
 * them, so every field of every cursor is bounded at both ends: a forged one is a 400, never
 * a query with a time no Date can hold (1e20) or a seq past Postgres's integer.
 *
 * One vocabulary for every list: a cursor is made by `defineCursor` from `cursorField`s
 * only (their type says bounded; nothing else has that type), and `decodeCursor` and
 * `toPage` take nothing but such a cursor. A new list cannot bring an unbounded field.
 */
declare const bounded: unique symbol;
type Bounded = { readonly [bounded]: true };

/** A field whose every accepted value a query can use as it is. */
export type CursorField = v.GenericSchema<unknown, string | number> & Bounded;

const boundedField = <S extends v.GenericSchema<unknown, string | number>>(schema: S) =>
  schema as S & Bounded;

const wholeNumber = (min: number, max: number) =>
  boundedField(v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max)));

export const cursorField = {
  /** An instant of a stored row in epoch ms, inside the range of every timestamp. */
  instant: wholeNumber(EARLIEST_MS, LATEST_MS),
  /** A gate's sequence number: a Postgres integer. */
  seq: wholeNumber(0, 2_147_483_647),
  /** A row's id, in lower case. */
  id: boundedField(Uuid),
};

export interface CursorDefinition<K> extends Bounded {
  readonly schema: v.GenericSchema<unknown, K>;
  encode(key: K): string;
}

/** A list's cursor, from bounded fields only; keys other than these are refused too. */
export function defineCursor<F extends Record<string, CursorField>>(
  fields: F,
): CursorDefinition<{ [P in keyof F]: v.InferOutput<F[P]> }> {
  const definition = { schema: v.strictObject(fields), encode: encodeCursor };
  return definition as unknown as CursorDefinition<{ [P in keyof F]: v.InferOutput<F[P]> }>;
}

function encodeCursor(key: object): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor<K>(
  cursor: string | undefined,
  definition: CursorDefinition<K>,
): K | null {
  if (cursor === undefined) return null;
  try {
    const b64 = cursor.replace(/-/g, "+").replace(/_/g, "/");
    const s = atob(b64);
    const bytes = Uint8Array.from(s, (ch) => ch.charCodeAt(0));
    const parsed = v.safeParse(definition.schema, JSON.parse(new TextDecoder().decode(bytes)));
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
export function toPage<R, T, K>(
  rows: R[],
  limit: number,
  present: (r: R) => T,
  cursor: CursorDefinition<K>,
  keyOf: (r: R) => K,
): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return {
    items: shown.map(present),
    nextCursor: more && last !== undefined ? cursor.encode(keyOf(last)) : null,
  };
}
