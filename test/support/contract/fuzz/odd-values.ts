import fc from "fast-check";

/**
 * The values an outside attacker tries first, whatever the schema says: awkward text, numbers
 * at and past every edge, timestamps a parser may or may not take, and percent-encodings that
 * do not decode. Used by openapi-arbitraries.ts both as valid input (text Postgres can store)
 * and as mutations.
 */

const range = (from: number, to: number) =>
  fc.integer({ min: from, max: to }).map((c) => String.fromCodePoint(c));

/** One character that Postgres can store, weighted towards the ones that break naive code. */
const storableChar = fc.oneof(
  { arbitrary: range(0x20, 0x7e), weight: 8 },
  // C0 controls other than NUL (refused by the input rules), DEL and C1 controls.
  { arbitrary: fc.oneof(range(0x01, 0x1f), range(0x7f, 0x9f)), weight: 2 },
  // Astral characters: two UTF-16 code units each (emoji, CJK extension B, private use).
  { arbitrary: range(0x10000, 0x10ffff), weight: 2 },
  // Combining marks, which attach to whatever comes before them.
  { arbitrary: range(0x0300, 0x036f), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      "\u00a0", // no-break space: trimmed by String.prototype.trim
      "\u200b", // zero-width space
      "\u200d", // zero-width joiner
      "\u202e", // right-to-left override
      "\u2028", // line separator (invalid in old JavaScript string literals)
      "\u2029",
      "\ufeff", // byte order mark
      "\ufffd",
      "\uffff", // a noncharacter
      "👩‍👩‍👧", // one grapheme of five code points
      "e\u0301", // é as e + combining acute
      "'; DROP TABLE users; --",
      "%00",
      "\\u0000",
    ),
    weight: 2,
  },
  { arbitrary: range(0xa0, 0xd7ff), weight: 2 },
);

/**
 * Text of `minLength..maxLength` UTF-16 code units (the unit JSON Schema's maxLength counts
 * in JavaScript validators) that Postgres can store: no NUL, no lone surrogate.
 */
export function storableText(minLength = 0, maxLength = 40): fc.Arbitrary<string> {
  const cap = Math.min(maxLength, 200);
  return fc
    .array(storableChar, { minLength, maxLength: Math.max(minLength, Math.min(cap, 40)) })
    .map((chars) => {
      let text = "";
      for (const c of chars) {
        if (text.length + c.length > cap) break;
        text += c;
      }
      return text;
    })
    .filter((t) => t.length >= minLength);
}

/** Text Postgres cannot store, or that is too long for any field. */
export function unstorableText(maxLength = 100): fc.Arbitrary<string> {
  return fc.oneof(
    storableText(0, 10).map((t) => `${t}\u0000${t}`),
    // Lone surrogates: JSON carries them as \ud800 escapes; UTF-8 cannot.
    storableText(0, 10).map((t) => `${t}\ud800${t}`),
    storableText(0, 10).map((t) => `\udfff${t}`),
    fc.constant(""),
    fc.constant(" \t\n "),
    fc.integer({ min: 1, max: 50 }).map((n) => "x".repeat(Math.min(maxLength, 100_000) + n)),
    // Past the JSON body limit (64 KiB): 413, never a 500 or a buffered giant.
    fc.constant("y".repeat(70_000)),
  );
}

/** Integers and numbers at and beyond every edge a schema, a driver or Postgres may have. */
export const oddNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1.5,
    -1.5,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31) - 1,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53) - 2,
    1e20,
    1e308,
    -1e308,
    Number.MIN_VALUE,
    Number.EPSILON,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom("1", "1e3", "0x10", "", "NaN", "Infinity", " 1"),
);

/** Timestamps a lax parser may take and a strict one must refuse (API.md input rules). */
export const oddTimestamp: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00.000Z",
    "1899-12-31T23:59:59Z",
    "1999-12-31T23:59:59.999Z",
    "2100-01-01T00:00:00.001Z",
    "9999-12-31T23:59:59Z",
    "+275760-09-13T00:00:00.000Z",
    "2031-02-30T10:00:00Z",
    "2031-13-01T10:00:00Z",
    "2031-04-31T10:00:00Z",
    "2031-02-28T24:00:00Z",
    "2031-02-28T23:59:60Z",
    "2031-02-28T10:00:00+01",
    "2031-02-28T10:00:00+0100",
    "2031-02-28T10:00:00+14:59",
    "2031-02-28T10:00:00-00:00",
    "2031-02-28t10:00:00z",
    "2031-02-28 10:00:00Z",
    "2031-02-28T10:00:00",
    "2031-02-28",
    "2031-02-28T10:00:00.123456789Z",
    "1e20",
    "now",
    "",
  ),
  fc.constantFrom(0, -1, 1e20, 1_700_000_000_000, 2 ** 53),
  fc
    .date({ min: new Date(-62_198_755_200_000), max: new Date(253_402_300_799_000) })
    .filter((d) => !Number.isNaN(d.getTime()))
    .map((d) => d.toISOString()),
);

/**
 * A plausible timestamp for a valid request: between a month ago and a month ahead, but never
 * within the hour around now. A trial that opens or closes while the fuzz runs changes its
 * rows on its own (a status event arrives), which a refused request's fingerprint would see.
 */
export const plausibleTimestamp: fc.Arbitrary<string> = fc
  .oneof(
    fc.integer({ min: -30 * 86_400_000, max: -3_600_000 }),
    fc.integer({ min: 3_600_000, max: 30 * 86_400_000 }),
  )
  .map((offset) => new Date(Date.now() + offset).toISOString());

/**
 * Already percent-encoded path or query text that a server must refuse, not choke on:
 * undecodable escapes, bytes that are not UTF-8, encoded NULs and separators.
 */
export const garbledEncoded: fc.Arbitrary<string> = fc.constantFrom(
  "%",
  "%zz",
  "%00",
  "%ED%A0%80", // a surrogate in CESU-8: not UTF-8
  "%FF%FE",
  "%C0%AF", // an overlong "/"
  "..%2F..%2Fhealthz",
  "%2e%2e",
  "a%0Ab",
  "%E2%80%AE",
  "%F0%9F%98%80",
  "null",
  "undefined",
  "-1",
  "1e400",
  "x".repeat(2000),
);

/**
 * A string percent-encoded for a URL; a lone surrogate (which encodeURIComponent refuses) is
 * sent as the bytes of its CESU-8 form, as a careless client would.
 */
export function encodeText(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return Array.from(text)
      .map((c) => {
        const code = c.codePointAt(0) ?? 0;
        if (code < 0xd800 || code > 0xdfff) return encodeURIComponent(c);
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join("");
      })
      .join("");
  }
}

/**
 * base64url JSON, as this API's opaque cursors are, holding the sort keys lists use (a time,
 * an id, a sequence number) with odd values: what a client that decoded one would forge.
 */
export const craftedCursor: fc.Arbitrary<string> = fc
  .record(
    {
      t: oddNumber,
      createdMs: oddNumber,
      seq: oddNumber,
      id: fc.oneof(fc.uuid(), fc.constant("x")),
      trialId: fc.uuid(),
    },
    { requiredKeys: [] },
  )
  .map((key) => Buffer.from(JSON.stringify(key)).toString("base64url"));
