import * as v from "valibot";

/**
 * The receipt keys as configured (API.md "Receipts and the public fill log"): the current
 * Ed25519 private key as a JWK with its `kid` (RECEIPT_SIGNING_KEY, a secret), and the
 * public keys of older ones (RECEIPT_PUBLIC_KEYS, a JSON array) that stay in the JWKS after
 * a rotation so receipts signed before it still verify. Checked here, synchronously, when
 * the configuration is parsed: a bad key fails the startup, not the first apply.
 */

/** A public key as the JWKS publishes it: nothing but what a verifier needs. */
export interface ReceiptPublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  alg: "EdDSA";
  use: "sig";
}

export interface ReceiptKeys {
  /** The key that signs: its public half and `d`, the private scalar. */
  signing: ReceiptPublicJwk & { d: string };
  /** Every key the JWKS serves: the signing key's public half first, then the older ones. */
  published: ReceiptPublicJwk[];
}

// An Ed25519 key part is 32 bytes: 43 base64url characters without padding.
const KeyPart = v.pipe(
  v.string("must be a string"),
  v.regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, "must be 32 bytes in base64url"),
);
// Kept to characters that need no escaping anywhere a kid travels (headers, logs, URLs).
const Kid = v.pipe(
  v.string("must be a string"),
  v.regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1..64 characters of A-Z a-z 0-9 . _ -"),
);

// Loose objects: a JWK from a tool may carry other members (key_ops, ext), which are dropped.
const JwkFields = {
  kty: v.literal("OKP", 'must be "OKP"'),
  crv: v.literal("Ed25519", 'must be "Ed25519"'),
  x: KeyPart,
  kid: Kid,
  alg: v.optional(v.literal("EdDSA", 'must be "EdDSA"')),
  use: v.optional(v.literal("sig", 'must be "sig"')),
};
// Every message is our own: valibot's defaults quote the value received, and a private key
// must never reach a log through an error message.
const PrivateJwk = v.object({ ...JwkFields, d: KeyPart }, "must be a JWK (a JSON object)");
const PublicJwk = v.object(
  // Never publish private material: an older key listed with its `d` is refused.
  { ...JwkFields, d: v.optional(v.never("must not be given: public keys only")) },
  "must be a JWK (a JSON object)",
);
const PublicJwks = v.array(PublicJwk, "must be a JSON array of public JWKs");

export type ParsedReceiptKeys = { ok: true; keys: ReceiptKeys } | { ok: false; problem: string };

/**
 * Parses both variables. Problems name the variable and the field, never a value: the
 * private key must not reach a log through an error message.
 */
export function parseReceiptKeys(
  signingText: string | undefined,
  olderText: string | undefined,
): ParsedReceiptKeys {
  if (!signingText) {
    return {
      ok: false,
      problem:
        "RECEIPT_SIGNING_KEY: missing; it must be an Ed25519 private key as a JWK with a kid " +
        "(npm start makes one under .data/)",
    };
  }
  const signing = parseJson("RECEIPT_SIGNING_KEY", signingText, PrivateJwk);
  if (!signing.ok) return signing;
  let older: v.InferOutput<typeof PublicJwks> = [];
  if (olderText !== undefined && olderText.trim() !== "") {
    const parsed = parseJson("RECEIPT_PUBLIC_KEYS", olderText, PublicJwks);
    if (!parsed.ok) return parsed;
    older = parsed.value;
  }
  const publicOf = (k: { x: string; kid: string }): ReceiptPublicJwk => ({
    kty: "OKP",
    crv: "Ed25519",
    x: k.x,
    kid: k.kid,
    alg: "EdDSA",
    use: "sig",
  });
  const published = [publicOf(signing.value), ...older.map(publicOf)];
  const kids = published.map((k) => k.kid);
  const repeated = kids.filter((kid, i) => kids.indexOf(kid) !== i);
  if (repeated.length > 0) {
    return {
      ok: false,
      problem: `RECEIPT_PUBLIC_KEYS: kid ${repeated.join(", ")} used twice; every key needs its own kid`,
    };
  }
  return {
    ok: true,
    keys: { signing: { ...publicOf(signing.value), d: signing.value.d }, published },
  };
}

function parseJson<S extends v.GenericSchema>(
  name: string,
  text: string,
  schema: S,
): { ok: true; value: v.InferOutput<S> } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: `${name}: is not JSON` };
  }
  const result = v.safeParse(schema, json);
  if (result.success) return { ok: true, value: result.output };
  const problems = result.issues.map((i) => `${v.getDotPath(i) ?? "(the value)"} ${i.message}`);
  return { ok: false, problem: `${name}: ${problems.join("; ")}` };
}
