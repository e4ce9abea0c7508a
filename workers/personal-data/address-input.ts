import * as v from "valibot";
import { JOURNEY_RULES } from "../../core/vocabulary/journey";

/**
 * A winner's shipping address as the confirmation takes it (API.md "After the win"). Every
 * message is our own and none quotes the value: valibot's defaults echo what was received,
 * and an address must reach neither an error body nor a log line.
 *
 * Leading and trailing white space is trimmed (as names and titles are), so "   " is empty.
 * Lengths count UTF-16 code units after the trim, like every other length of the API (and
 * JSON Schema's maxLength in the OpenAPI document). Control characters are refused: they
 * have no place on a parcel label and can hide text from the company that prints it; the
 * address alone may hold line breaks (stored as LF): a postal address has several lines.
 * Bidirectional overrides and isolates are refused too: they can make a label read other
 * than what was stored.
 */

const NO_CONTROLS = "must not contain control characters";

/**
 * C0 and C1 controls (U+0000..U+001F, U+007F..U+009F) and the bidi embeddings, overrides and
 * isolates (U+202A..U+202E, U+2066..U+2069); `lineBreaks` lets CR and LF through.
 */
function hasControl(s: string, lineBreaks: boolean): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (lineBreaks && (cp === 0x0a || cp === 0x0d)) continue;
    if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) return true;
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return true;
  }
  return false;
}

function text(rule: { min: number; max: number }, lineBreaks = false) {
  return v.pipe(
    v.string("must be a string"),
    v.trim(),
    v.minLength(
      rule.min,
      rule.min === 1 ? "must not be empty" : `must be at least ${rule.min} characters`,
    ),
    v.maxLength(rule.max, `must be at most ${rule.max} characters`),
    v.check(
      (s) => !hasControl(s, lineBreaks),
      lineBreaks ? `${NO_CONTROLS} other than line breaks` : NO_CONTROLS,
    ),
  );
}

const { recipient, phone, address } = JOURNEY_RULES;

/** Digits, spaces, +, - and parentheses: how people write a number for a courier. */
const PHONE_CHARACTERS = /^[0-9 +()-]*$/;
/** Fewer digits than this cannot reach anyone, whatever the punctuation around them. */
const PHONE_MIN_DIGITS = 7;

export const ShippingAddressInput = v.object(
  {
    recipient: text(recipient),
    phone: v.pipe(
      text(phone),
      v.regex(PHONE_CHARACTERS, "must hold only digits, spaces, +, - and parentheses"),
      v.check(
        (s) => (s.match(/\d/g)?.length ?? 0) >= PHONE_MIN_DIGITS,
        `must hold at least ${PHONE_MIN_DIGITS} digits`,
      ),
    ),
    // Line breaks as one LF, whatever the client's text box sent (CRLF, CR).
    address: v.pipe(
      text(address, true),
      v.transform((s) => s.replace(/\r\n?/g, "\n")),
    ),
  },
  "must be an object with recipient, phone and address",
);

export type ShippingAddress = v.InferOutput<typeof ShippingAddressInput>;
