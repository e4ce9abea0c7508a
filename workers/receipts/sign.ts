import { CompactSign, type CryptoKey, compactVerify, importJWK } from "jose";
import type { ReceiptKeys } from "./keys";

/**
 * Compact JWS (EdDSA over Ed25519, `kid` in the protected header) through WebCrypto, which
 * both workerd and Deno provide. The app signs after the gate has answered, never inside
 * it: the gate's single thread only decides and writes.
 */

type Imported = { key: CryptoKey; kid: string };

// One import per configuration (an isolate keeps its config object), shared by every request.
const imported = new WeakMap<ReceiptKeys, Promise<Imported>>();

function signingKeyOf(keys: ReceiptKeys): Promise<Imported> {
  let hit = imported.get(keys);
  if (!hit) {
    hit = importChecked(keys);
    imported.set(keys, hit);
  }
  return hit;
}

/**
 * Imports the private key and proves it matches the public half the JWKS serves: a key
 * whose `x` belongs to another `d` would sign receipts nobody can verify, so it fails here,
 * loudly, on the first signature.
 */
async function importChecked(keys: ReceiptKeys): Promise<Imported> {
  const { kid, d, x } = keys.signing;
  const key = (await importJWK({ kty: "OKP", crv: "Ed25519", x, d }, "EdDSA")) as CryptoKey;
  const probe = await sign(key, kid, new TextEncoder().encode("receipt key check"));
  const publicKey = await importJWK({ kty: "OKP", crv: "Ed25519", x }, "EdDSA");
  try {
    await compactVerify(probe, publicKey);
  } catch {
    throw new Error(`RECEIPT_SIGNING_KEY (kid ${kid}): its x is not the public half of its d`);
  }
  return { key, kid };
}

function sign(key: CryptoKey, kid: string, payload: Uint8Array): Promise<string> {
  return new CompactSign(payload).setProtectedHeader({ alg: "EdDSA", kid }).sign(key);
}

/** The compact JWS of `payload` (as JSON) under the current receipt key. */
export async function signJson(keys: ReceiptKeys, payload: object): Promise<string> {
  const { key, kid } = await signingKeyOf(keys);
  return sign(key, kid, new TextEncoder().encode(JSON.stringify(payload)));
}
