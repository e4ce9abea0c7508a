import * as v from "valibot";
import type { ShippingAddress } from "./address-input";
import type { PersonalDataKeys } from "./keys";

export { type ShippingAddress, ShippingAddressInput } from "./address-input";

/**
 * A winner's address sealed at rest (docs/decisions/0034): AES-256-GCM through WebCrypto,
 * the same on Workers and Deno. `sealed` is base64 of IV (12 random bytes) ‖ ciphertext with
 * its tag, over the JSON {recipient, phone, address}. The application id is the additional
 * data: a sealed value copied onto another application's row does not open.
 */
export interface SealedAddress {
  keyId: string;
  sealed: string;
}

const IV_BYTES = 12;

/**
 * Thrown when a stored value does not open: its key is no longer configured, or it was
 * changed or moved. Names the application and the key id, never any content.
 */
export class UnsealableError extends Error {
  override name = "UnsealableError";
  constructor(applicationId: string, keyId: string, why: string) {
    super(`the sealed address of application ${applicationId} (key ${keyId}) ${why}`);
  }
}

export async function sealShippingAddress(
  keys: PersonalDataKeys,
  applicationId: string,
  { recipient, phone, address }: ShippingAddress,
): Promise<SealedAddress> {
  const keyId = keys.currentId;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify({ recipient, phone, address }));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: boundTo(applicationId) },
    await cryptoKey(keys, keyId),
    plaintext,
  );
  const out = new Uint8Array(IV_BYTES + ciphertext.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ciphertext), IV_BYTES);
  return { keyId, sealed: toBase64(out) };
}

// What a sealed value must hold once open; anything else is as good as tampered with.
const Opened = v.strictObject({ recipient: v.string(), phone: v.string(), address: v.string() });

export async function openShippingAddress(
  keys: PersonalDataKeys,
  applicationId: string,
  { keyId, sealed }: SealedAddress,
): Promise<ShippingAddress> {
  if (!keys.keys.has(keyId)) {
    throw new UnsealableError(applicationId, keyId, "names a key that is not configured");
  }
  const bytes = fromBase64(sealed);
  // An IV and a 16-byte tag at the least.
  if (!bytes || bytes.length < IV_BYTES + 16) {
    throw new UnsealableError(applicationId, keyId, "is not a sealed value");
  }
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: boundTo(applicationId) },
      await cryptoKey(keys, keyId),
      bytes.subarray(IV_BYTES),
    );
  } catch {
    throw new UnsealableError(
      applicationId,
      keyId,
      "does not open: changed, or sealed for another application",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    json = undefined;
  }
  const opened = v.safeParse(Opened, json);
  if (!opened.success) throw new UnsealableError(applicationId, keyId, "opens to no address");
  return opened.output;
}

/** Ids are stored in lower case: the additional data is the id as stored. */
function boundTo(applicationId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(new TextEncoder().encode(applicationId.toLowerCase()));
}

// Named through WebCrypto itself: the runtimes' type libraries do not all declare CryptoKey.
type AesKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

// Imported once per key and isolate: importKey is not free, and the bytes never change.
const imported = new WeakMap<Uint8Array<ArrayBuffer>, Promise<AesKey>>();

function cryptoKey(keys: PersonalDataKeys, keyId: string): Promise<AesKey> {
  const raw = keys.keys.get(keyId);
  if (!raw) return Promise.reject(new Error(`personal data key ${keyId} is not configured`));
  let key = imported.get(raw);
  if (!key) {
    key = crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    imported.set(raw, key);
  }
  return key;
}

function toBase64(bytes: Uint8Array<ArrayBuffer>): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}
