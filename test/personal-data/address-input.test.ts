import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { JOURNEY_RULES } from "../../core/vocabulary/journey";
import { ShippingAddressInput } from "../../workers/personal-data/sealing";

/**
 * The confirmation's address (API.md "After the win": recipient 1..50, phone 7..20, address
 * 1..300): refused with a message per field path, and no message ever quotes the value.
 */

const good = { recipient: "Hanako Yamada", phone: "+81 (90) 1234-5678", address: "1-2-3 Sakura" };

/** The refusal's details as the API would answer them: dotted path and message. */
function problems(input: unknown) {
  const result = v.safeParse(ShippingAddressInput, input);
  if (result.success) return [];
  return result.issues.map((i) => ({ path: v.getDotPath(i) ?? "", message: i.message }));
}

/** The fields refused, each once (a field may break more than one rule). */
const paths = (input: unknown) => [...new Set(problems(input).map((p) => p.path))];

describe("ShippingAddressInput", () => {
  it("takes a good address, trimmed", () => {
    expect(v.parse(ShippingAddressInput, good)).toEqual(good);
    expect(
      v.parse(ShippingAddressInput, {
        recipient: "  Hanako  ",
        phone: " 090-1234-5678 ",
        address: "\n 1-2-3 Sakura \n",
      }),
    ).toEqual({ recipient: "Hanako", phone: "090-1234-5678", address: "1-2-3 Sakura" });
  });

  it("takes the bounds exactly, counted after the trim", () => {
    const { recipient, phone, address } = JOURNEY_RULES;
    const atMost = {
      recipient: "r".repeat(recipient.max),
      phone: "1".repeat(phone.max),
      address: "a".repeat(address.max),
    };
    expect(paths(atMost)).toEqual([]);
    expect(paths({ ...atMost, recipient: ` ${atMost.recipient} ` })).toEqual([]);
    expect(paths({ ...good, phone: "1".repeat(phone.min) })).toEqual([]);
    expect(paths({ ...good, recipient: "r" })).toEqual([]);
  });

  it("refuses each field too long, naming the field", () => {
    const { recipient, phone, address } = JOURNEY_RULES;
    expect(problems({ ...good, recipient: "r".repeat(recipient.max + 1) })).toEqual([
      { path: "recipient", message: `must be at most ${recipient.max} characters` },
    ]);
    expect(paths({ ...good, phone: "1".repeat(phone.max + 1) })).toEqual(["phone"]);
    expect(paths({ ...good, address: "a".repeat(address.max + 1) })).toEqual(["address"]);
    // Counted like every length of the API: an emoji is two.
    expect(paths({ ...good, recipient: "😀".repeat(recipient.max / 2 + 1) })).toEqual([
      "recipient",
    ]);
  });

  it("refuses empty or blank fields, a short phone, and missing fields", () => {
    expect(problems({ ...good, recipient: "" })).toEqual([
      { path: "recipient", message: "must not be empty" },
    ]);
    expect(paths({ ...good, address: "   \n " })).toEqual(["address"]);
    expect(paths({ ...good, phone: "123456" })).toEqual(["phone"]);
    expect(paths({ phone: good.phone })).toEqual(["recipient", "address"]);
    expect(paths({ ...good, phone: 8190123456 })).toEqual(["phone"]);
    expect(paths("1-2-3 Sakura")).toEqual([""]);
  });

  it("refuses a phone with other characters or too few digits", () => {
    for (const phone of [
      "090.1234.5678",
      "+81 90 1234 5678 ext",
      "０９０１２３４５６７８",
      "--- (+) ---",
    ]) {
      expect(paths({ ...good, phone }), phone).toEqual(["phone"]);
    }
    expect(problems({ ...good, phone: "+1 (23) 456" })).toEqual([
      { path: "phone", message: "must hold at least 7 digits" },
    ]);
  });

  it("refuses control characters (line breaks only in the address) and bidi overrides", () => {
    const controls = [
      "\u0000",
      "\u0007",
      "\t",
      "\u001b[31m",
      "\u007f",
      "\u0085",
      "\u202e",
      "\u2066",
    ];
    for (const c of controls) {
      const shown = JSON.stringify(c);
      expect(paths({ ...good, recipient: `Hana${c}ko` }), shown).toEqual(["recipient"]);
      expect(paths({ ...good, address: `1-2-3${c} Sakura` }), shown).toEqual(["address"]);
    }
    expect(paths({ ...good, recipient: "Hana\nko" })).toEqual(["recipient"]);
    expect(paths({ ...good, phone: "090\n12345678" })).toEqual(["phone"]);
  });

  it("keeps the address's lines, as LF whatever the client sent", () => {
    const parsed = v.parse(ShippingAddressInput, {
      ...good,
      address: "1-2-3 Sakura\r\nChiyoda-ku\rTokyo\n100-0001",
    });
    expect(parsed.address).toBe("1-2-3 Sakura\nChiyoda-ku\nTokyo\n100-0001");
  });

  it("never quotes the value in a message", () => {
    const secret = "Secret Street 42";
    const refusals = [
      problems({ recipient: `${secret}\u0007`, phone: `${secret}`, address: `${secret}\u202e` }),
      problems({
        recipient: secret.repeat(10),
        phone: secret.repeat(3),
        address: secret.repeat(30),
      }),
      problems({ recipient: 42, phone: [secret], address: { secret } }),
    ];
    for (const found of refusals) {
      expect(found.length).toBeGreaterThan(0);
      for (const p of found) expect(p.message).not.toContain("Secret");
    }
  });
});
