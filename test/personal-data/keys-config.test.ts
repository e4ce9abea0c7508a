import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../workers/config";

/**
 * PERSONAL_DATA_KEYS and PERSONAL_DATA_KEY_ID, checked when the configuration is parsed (at
 * every entry): a bad key stops the startup with a message that names the variable and
 * never quotes a key.
 */

const base = env as unknown as Record<string, unknown>;
const configWith = (vars: Record<string, unknown>) => parseConfig({ ...base, ...vars });
const randomKey = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

describe("personal data key configuration", () => {
  it("reads every key by id and the id that seals new values", () => {
    const [a, b] = [randomKey(), randomKey()];
    const { personalData } = configWith({
      PERSONAL_DATA_KEYS: JSON.stringify({ "2026-05": a, "2026-11": b }),
      PERSONAL_DATA_KEY_ID: "2026-11",
    });
    expect(personalData.currentId).toBe("2026-11");
    expect([...personalData.keys.keys()]).toEqual(["2026-05", "2026-11"]);
    expect(personalData.keys.get("2026-05")).toEqual(
      Uint8Array.from(atob(a), (c) => c.charCodeAt(0)),
    );
    expect(personalData.keys.get("2026-11")?.length).toBe(32);
  });

  it("the test run itself is configured with a key (as npm start and the contract servers are)", () => {
    const { personalData } = parseConfig(base);
    expect(personalData.keys.get(personalData.currentId)?.length).toBe(32);
  });

  it("refuses a missing or malformed configuration, naming the variable, never quoting a key", () => {
    const key = randomKey();
    const keys = (o: Record<string, unknown>) => JSON.stringify(o);
    const bad: Record<string, [Record<string, unknown>, string]> = {
      "no keys": [{ PERSONAL_DATA_KEYS: undefined }, "PERSONAL_DATA_KEYS"],
      "not JSON": [{ PERSONAL_DATA_KEYS: `{"k1": "${key}"` }, "PERSONAL_DATA_KEYS"],
      "a JSON array": [{ PERSONAL_DATA_KEYS: JSON.stringify([key]) }, "PERSONAL_DATA_KEYS"],
      "an empty object": [{ PERSONAL_DATA_KEYS: "{}" }, "PERSONAL_DATA_KEYS"],
      "16 bytes": [{ PERSONAL_DATA_KEYS: keys({ k1: `${key.slice(0, 22)}==` }) }, "k1"],
      "a key of 33 bytes": [
        { PERSONAL_DATA_KEYS: keys({ k1: btoa("x".repeat(33)) }) },
        "PERSONAL_DATA_KEYS",
      ],
      "base64url, not base64": [
        { PERSONAL_DATA_KEYS: keys({ k1: `${"-_".repeat(21)}AA=` }) },
        "PERSONAL_DATA_KEYS",
      ],
      "a number": [{ PERSONAL_DATA_KEYS: keys({ k1: 42 }) }, "PERSONAL_DATA_KEYS"],
      "a key id with spaces": [{ PERSONAL_DATA_KEYS: keys({ "my key": key }) }, "key id"],
      "no key id": [{ PERSONAL_DATA_KEY_ID: undefined }, "PERSONAL_DATA_KEY_ID"],
      "an unknown key id": [{ PERSONAL_DATA_KEY_ID: "k9" }, "k9"],
      "a key where the id goes": [{ PERSONAL_DATA_KEY_ID: key }, "PERSONAL_DATA_KEY_ID"],
    };
    for (const [what, [vars, named]] of Object.entries(bad)) {
      let thrown: unknown;
      try {
        configWith({ PERSONAL_DATA_KEYS: keys({ k1: key }), PERSONAL_DATA_KEY_ID: "k1", ...vars });
      } catch (err) {
        thrown = err;
      }
      expect(thrown, what).toBeInstanceOf(ConfigError);
      const message = (thrown as Error).message;
      expect(message, what).toContain(named);
      expect(message, what).not.toContain(key);
      expect(message, what).not.toContain(key.slice(0, 22));
    }
  });
});
