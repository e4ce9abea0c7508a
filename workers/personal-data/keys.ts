import * as v from "valibot";

/**
 * The keys that seal personal data at rest (docs/decisions/0034): PERSONAL_DATA_KEYS, a
 * JSON object of key id → base64 of 32 random bytes (AES-256), and PERSONAL_DATA_KEY_ID,
 * the id new values are sealed with. After a rotation the old keys stay in the object so
 * values sealed before it still open. Checked when the configuration is parsed: a bad key
 * fails the startup, not the first confirmation.
 */
export interface PersonalDataKeys {
  /** The id new values are sealed with; always a key of `keys`. */
  readonly currentId: string;
  /** Every configured key's raw bytes, by id. */
  readonly keys: ReadonlyMap<string, Uint8Array<ArrayBuffer>>;
}

// Kept to characters that need no escaping wherever a key id travels (a column, a log line).
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
// 32 bytes in standard base64: 43 characters, the last of them holding 4 bits, then "=".
const KEY_BYTES = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

// Every message is our own: valibot's defaults quote the value received, and a key must
// never reach a log through an error message.
const KeyMap = v.pipe(
  v.record(
    v.pipe(v.string(), v.regex(KEY_ID, "a key id must be 1..64 characters of A-Z a-z 0-9 . _ -")),
    v.pipe(
      v.string("must be a string"),
      v.regex(KEY_BYTES, "must be 32 bytes in standard base64 (44 characters ending in =)"),
    ),
    "must be a JSON object of key id to key",
  ),
  v.check((o) => Object.keys(o).length > 0, "must hold at least one key"),
);

export type ParsedPersonalDataKeys =
  | { ok: true; keys: PersonalDataKeys }
  | { ok: false; problem: string };

/** Parses both variables. Problems name the variable and the key id, never a key. */
export function parsePersonalDataKeys(
  keysText: string | undefined,
  currentId: string | undefined,
): ParsedPersonalDataKeys {
  if (!keysText) {
    return {
      ok: false,
      problem:
        'PERSONAL_DATA_KEYS: missing; it must be a JSON object {"<key id>": "<base64 of 32 ' +
        'random bytes>"} (npm start makes one under .data/)',
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(keysText);
  } catch {
    return { ok: false, problem: "PERSONAL_DATA_KEYS: is not JSON" };
  }
  const parsed = v.safeParse(KeyMap, json);
  if (!parsed.success) {
    // A key id is named only when it looks like one: it might be a key pasted in its place.
    const problems = parsed.issues.map((i) => {
      const path = v.getDotPath(i);
      return path && KEY_ID.test(path) ? `${path} ${i.message}` : i.message;
    });
    return { ok: false, problem: `PERSONAL_DATA_KEYS: ${problems.join("; ")}` };
  }
  if (!currentId) {
    return {
      ok: false,
      problem:
        "PERSONAL_DATA_KEY_ID: missing; it must name the key of PERSONAL_DATA_KEYS that " +
        "seals new values",
    };
  }
  if (!Object.hasOwn(parsed.output, currentId)) {
    return {
      ok: false,
      problem: KEY_ID.test(currentId)
        ? `PERSONAL_DATA_KEY_ID: ${currentId} is not a key id of PERSONAL_DATA_KEYS`
        : "PERSONAL_DATA_KEY_ID: is not a key id of PERSONAL_DATA_KEYS",
    };
  }
  const keys = new Map(
    Object.entries(parsed.output).map(([id, text]) => [id, base64Bytes(text)] as const),
  );
  return { ok: true, keys: { currentId, keys } };
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}
