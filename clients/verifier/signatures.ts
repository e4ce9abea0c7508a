import { base64url, compactVerify, createLocalJWKSet, decodeProtectedHeader, errors } from "jose";
import type { Jwks } from "./material";

/** A compact JWS checked against the published keys (API.md: `alg: "EdDSA"` and a `kid`). */
export type SignatureCheck =
  | { verified: true; kid: string; payload: unknown }
  | {
      verified: false;
      reason: string;
      /** The payload read without trusting it, so the other checks can still say what differs. */
      payload: unknown;
    };

export async function verifyJws(jws: string, jwks: Jwks): Promise<SignatureCheck> {
  const payload = readUnverified(jws);
  let kid: unknown;
  try {
    const header = decodeProtectedHeader(jws);
    kid = header.kid;
    if (header.alg !== "EdDSA") return refused(`alg is ${String(header.alg)}, not EdDSA`, payload);
  } catch {
    return refused("not a compact JWS", payload);
  }
  if (typeof kid !== "string" || kid === "") return refused("its header names no kid", payload);
  try {
    const keys = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    const result = await compactVerify(jws, keys, { algorithms: ["EdDSA"] });
    return { verified: true, kid, payload: JSON.parse(new TextDecoder().decode(result.payload)) };
  } catch (error) {
    return refused(whyNot(error, kid), payload);
  }
}

function whyNot(error: unknown, kid: string): string {
  if (error instanceof errors.JWKSNoMatchingKey) return `no key with kid "${kid}" in the JWKS`;
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return `the signature does not verify with key "${kid}"`;
  if (error instanceof errors.JWKSInvalid) return "the JWKS is not a valid key set";
  if (error instanceof SyntaxError) return "its payload is not JSON";
  return `it does not verify (${error instanceof Error ? error.message : String(error)})`;
}

function refused(reason: string, payload: unknown): SignatureCheck {
  return { verified: false, reason, payload };
}

function readUnverified(jws: string): unknown {
  try {
    const part = jws.split(".")[1] ?? "";
    return JSON.parse(new TextDecoder().decode(base64url.decode(part)));
  } catch {
    return null;
  }
}
