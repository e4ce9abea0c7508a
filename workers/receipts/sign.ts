import { createPrivateKey, createPublicKey, type KeyObject, sign } from "node:crypto";
import type { ReceiptKeys } from "./keys";

/**
 * Compact JWS (RFC 7515: EdDSA over Ed25519, `kid` in the protected header), signed in the
 * app after the gate has answered, never inside it: the gate's single thread only decides
 * and writes. One receipt is signed per admission, so the signature is on the hot path:
 * node:crypto's synchronous Ed25519 (workerd with nodejs_compat, and Deno) takes about 19 µs
 * of CPU on Deno where crypto.subtle, an async op run on another thread, takes 30 to 60 µs;
 * so the three parts are joined here rather than by jose (docs/decisions/0040). Everything
 * that verifies (the tests, the verifier) uses jose, which holds this code to the standard.
 */

type Signing = { key: KeyObject; header: string };

// One key object per configuration (an isolate keeps its config object), shared by every request.
const prepared = new WeakMap<ReceiptKeys, Signing>();

function signingOf(keys: ReceiptKeys): Signing {
  let hit = prepared.get(keys);
  if (!hit) {
    hit = prepare(keys);
    prepared.set(keys, hit);
  }
  return hit;
}

/**
 * Imports the private key and proves it matches the public half the JWKS serves: a key
 * whose `x` belongs to another `d` would sign receipts nobody can verify, so it fails here,
 * loudly, on the first signature.
 */
function prepare(keys: ReceiptKeys): Signing {
  const { kid, d, x } = keys.signing;
  const key = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", x, d }, format: "jwk" });
  if (createPublicKey(key).export({ format: "jwk" }).x !== x) {
    throw new Error(`RECEIPT_SIGNING_KEY (kid ${kid}): its x is not the public half of its d`);
  }
  return { key, header: base64url(JSON.stringify({ alg: "EdDSA", kid })) };
}

function base64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString("base64url");
}

/** The compact JWS of `payload` (as JSON) under the current receipt key. */
export function signJson(keys: ReceiptKeys, payload: object): string {
  const { key, header } = signingOf(keys);
  const signingInput = `${header}.${base64url(JSON.stringify(payload))}`;
  // Ed25519 takes no digest: the algorithm argument is null (RFC 8032 signs the message itself).
  return `${signingInput}.${base64url(sign(null, Buffer.from(signingInput), key))}`;
}
