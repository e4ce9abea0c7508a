/**
 * Hex digests and keyed hashes, written once: SHA-256 of text or bytes, and HMAC-SHA256
 * under a key derived from a deployment secret for one purpose only (HKDF with its own
 * label), so a hash kept in one table can never be replayed as another's, nor as a JWT
 * signature made with the same secret.
 */

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

/** WebCrypto's key type, named so for both the Workers and the Node type libraries. */
type HmacKey = Parameters<typeof crypto.subtle.sign>[1];
/** Derived once per secret and label in an isolate (the secret's bytes come from the cached config). */
const derivedKeys = new WeakMap<Uint8Array, Map<string, Promise<HmacKey>>>();

function purposeKey(secret: Uint8Array, label: string): Promise<HmacKey> {
  let byLabel = derivedKeys.get(secret);
  if (!byLabel) {
    byLabel = new Map();
    derivedKeys.set(secret, byLabel);
  }
  let key = byLabel.get(label);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", new Uint8Array(secret), "HKDF", false, ["deriveKey"])
      .then((root) =>
        crypto.subtle.deriveKey(
          {
            name: "HKDF",
            hash: "SHA-256",
            salt: new Uint8Array(0),
            info: new TextEncoder().encode(label),
          },
          root,
          { name: "HMAC", hash: "SHA-256", length: 256 },
          false,
          ["sign"],
        ),
      );
    byLabel.set(label, key);
  }
  return key;
}

/** Lowercase hex HMAC-SHA256 of `message` under the key `secret` derives for `label`. */
export async function keyedHashHex(
  secret: Uint8Array,
  label: string,
  message: string | Uint8Array<ArrayBuffer>,
): Promise<string> {
  const bytes = typeof message === "string" ? new TextEncoder().encode(message) : message;
  return toHex(await crypto.subtle.sign("HMAC", await purposeKey(secret, label), bytes));
}
