import { describe, expect, it } from "vitest";
import { type PersonalDataKeys, parsePersonalDataKeys } from "../../workers/personal-data/keys";
import {
  openShippingAddress,
  sealShippingAddress,
  UnsealableError,
} from "../../workers/personal-data/sealing";
import { uniqueAddress } from "./fixtures";

/**
 * Sealing a winner's address with AES-256-GCM in workerd's WebCrypto (the Deno server runs
 * the same code; the contract suite opens on both what Node sealed): it opens only with its
 * key and only for the application it was sealed for, and a rotation keeps old values open.
 */

const randomKey = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

function keysOf(entries: Record<string, string>, currentId: string): PersonalDataKeys {
  const parsed = parsePersonalDataKeys(JSON.stringify(entries), currentId);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.keys;
}

const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const base64Of = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

describe("sealing a shipping address", () => {
  const keys = keysOf({ "2026-11": randomKey() }, "2026-11");

  it("opens to what was sealed, for the same application, under the current key id", async () => {
    const applicationId = crypto.randomUUID();
    const address = uniqueAddress();
    const sealed = await sealShippingAddress(keys, applicationId, address);
    expect(sealed.keyId).toBe("2026-11");
    // IV (12) ‖ ciphertext ‖ tag (16): longer than the JSON by exactly 28 bytes.
    const json = new TextEncoder().encode(JSON.stringify(address));
    expect(bytesOf(sealed.sealed).length).toBe(json.length + 28);
    expect(await openShippingAddress(keys, applicationId, sealed)).toEqual(address);
  });

  it("never seals the same address to the same text twice (a random IV each time)", async () => {
    const applicationId = crypto.randomUUID();
    const address = uniqueAddress();
    const a = await sealShippingAddress(keys, applicationId, address);
    const b = await sealShippingAddress(keys, applicationId, address);
    expect(a.sealed).not.toBe(b.sealed);
    expect(bytesOf(a.sealed).slice(0, 12)).not.toEqual(bytesOf(b.sealed).slice(0, 12));
  });

  it("holds none of the address in the clear", async () => {
    const address = uniqueAddress();
    const { sealed } = await sealShippingAddress(keys, crypto.randomUUID(), address);
    const asText = String.fromCharCode(...bytesOf(sealed));
    for (const part of [address.recipient, address.phone, address.address.slice(0, 8)]) {
      expect(sealed).not.toContain(part);
      expect(asText).not.toContain(part);
    }
  });

  it("refuses a value changed in any byte: IV, ciphertext or tag", async () => {
    const applicationId = crypto.randomUUID();
    const sealed = await sealShippingAddress(keys, applicationId, uniqueAddress());
    const bytes = bytesOf(sealed.sealed);
    for (const at of [0, 11, 12, bytes.length - 17, bytes.length - 1]) {
      const changed = bytes.slice();
      changed[at] = (changed[at] ?? 0) ^ 0x01;
      await expect(
        openShippingAddress(keys, applicationId, { ...sealed, sealed: base64Of(changed) }),
        `byte ${at}`,
      ).rejects.toThrow(UnsealableError);
    }
    // Cut short, or not base64 at all.
    for (const text of [sealed.sealed.slice(0, 20), "not base64!", ""]) {
      await expect(
        openShippingAddress(keys, applicationId, { ...sealed, sealed: text }),
      ).rejects.toThrow(UnsealableError);
    }
  });

  it("refuses a value moved onto another application's row", async () => {
    const sealed = await sealShippingAddress(keys, crypto.randomUUID(), uniqueAddress());
    await expect(openShippingAddress(keys, crypto.randomUUID(), sealed)).rejects.toThrow(
      UnsealableError,
    );
  });

  it("binds the application id whatever its case (ids are matched case-insensitively)", async () => {
    const applicationId = crypto.randomUUID();
    const address = uniqueAddress();
    const sealed = await sealShippingAddress(keys, applicationId.toUpperCase(), address);
    expect(await openShippingAddress(keys, applicationId, sealed)).toEqual(address);
  });

  it("refuses a key id that is not configured, naming ids and never content", async () => {
    const applicationId = crypto.randomUUID();
    const address = uniqueAddress();
    const sealed = await sealShippingAddress(keys, applicationId, address);
    const error = await openShippingAddress(keys, applicationId, {
      ...sealed,
      keyId: "retired",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsealableError);
    const message = (error as Error).message;
    expect(message).toContain(applicationId);
    expect(message).toContain("retired");
    for (const part of Object.values(address)) expect(message).not.toContain(part);
  });

  it("refuses the same bytes under another key", async () => {
    const applicationId = crypto.randomUUID();
    const other = keysOf({ "2026-11": randomKey() }, "2026-11");
    const sealed = await sealShippingAddress(keys, applicationId, uniqueAddress());
    await expect(openShippingAddress(other, applicationId, sealed)).rejects.toThrow(
      UnsealableError,
    );
  });
});

describe("rotating the key", () => {
  it("seals new values with the new key id while values sealed before still open", async () => {
    const oldKey = randomKey();
    const before = keysOf({ "2026-05": oldKey }, "2026-05");
    const applicationId = crypto.randomUUID();
    const address = uniqueAddress();
    const old = await sealShippingAddress(before, applicationId, address);
    expect(old.keyId).toBe("2026-05");

    // The rotation: a new key, the id moved to it, the old key kept for reading.
    const after = keysOf({ "2026-05": oldKey, "2026-11": randomKey() }, "2026-11");
    expect(await openShippingAddress(after, applicationId, old)).toEqual(address);
    const fresh = await sealShippingAddress(after, applicationId, address);
    expect(fresh.keyId).toBe("2026-11");
    expect(await openShippingAddress(after, applicationId, fresh)).toEqual(address);

    // The new key really is another key: its value does not open under the old one's id.
    await expect(
      openShippingAddress(after, applicationId, { ...fresh, keyId: "2026-05" }),
    ).rejects.toThrow(UnsealableError);
    // And once the old key is dropped, what it sealed no longer opens.
    const dropped = keysOf({ "2026-11": randomKey() }, "2026-11");
    await expect(openShippingAddress(dropped, applicationId, old)).rejects.toThrow(UnsealableError);
  });
});
