import { errors, jwtVerify, SignJWT } from "jose";
import type { Role } from "../../core/vocabulary/roles";
import { ROLES } from "../../core/vocabulary/roles";

/**
 * Access tokens: short-lived HS256 JWTs. Verification pins the algorithm, issuer and
 * audience, so `alg: none`, an RS/HS confusion or a token minted for another service are
 * all refused.
 */
const ALG = "HS256";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISSUER = "try-it";
const AUDIENCE = "try-it-api";

export interface AccessClaims {
  userId: string;
  role: Role;
  /**
   * Until when (epoch ms) the member may not apply, as it stood when the token was issued
   * (two strikes: docs/decisions/0036); absent or null when they may. Written as the claim
   * `restrictedUntil` in whole seconds like `exp`, rounded up so it never ends early. A
   * change ends the member's tokens (workers/strikes/restriction-change.ts): the refreshed
   * token carries the restriction as it then stands.
   */
  restrictedUntilMs?: number | null;
}

export interface VerifiedClaims extends AccessClaims {
  restrictedUntilMs: number | null;
  /**
   * When the token was issued, in milliseconds. `iat` carries them as a fraction of its
   * seconds (a JWT NumericDate may be non-integer, RFC 7519 §2): whole seconds could not
   * tell a token issued just before a logout or a password change from one issued just after
   * it in the same second (docs/decisions/0024). A token of whole seconds counts as issued at
   * the start of its second: older, never younger, than it is.
   */
  issuedAtMs: number;
}

export async function signAccessToken(
  claims: AccessClaims,
  secret: Uint8Array,
  ttlSeconds: number,
  issuedAtMs = Date.now(),
): Promise<string> {
  // No `typ` header (optional, RFC 7519 §5.1): a token must stay shorter than the longest
  // refresh token POST /auth/refresh reads (512 since `restrictedUntil`, 256 before), so an
  // access token sent there by mistake is a wrong refresh token (401), not a 400.
  const restricted = claims.restrictedUntilMs ?? null;
  return new SignJWT({
    role: claims.role,
    ...(restricted !== null && { restrictedUntil: Math.ceil(restricted / 1000) }),
  })
    .setProtectedHeader({ alg: ALG })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAtMs / 1000)
    .setExpirationTime(Math.floor(issuedAtMs / 1000) + ttlSeconds)
    .sign(secret);
}

export type VerifyResult =
  | { ok: true; claims: VerifiedClaims }
  | { ok: false; reason: "expired" | "invalid" };

/**
 * The HMAC key imported once per secret and isolate: given raw bytes, jose imports a
 * CryptoKey on every verification, a cost every request of a flood would pay (found in the
 * admission profile). The secret's bytes come from the cached config, so the WeakMap hits.
 */
type HmacKey = ReturnType<typeof crypto.subtle.importKey>;
const verifyKeys = new WeakMap<Uint8Array, HmacKey>();

function verifyKey(secret: Uint8Array): HmacKey {
  let key = verifyKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      secret as Uint8Array<ArrayBuffer>,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    verifyKeys.set(secret, key);
  }
  return key;
}

export async function verifyAccessToken(token: string, secret: Uint8Array): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, await verifyKey(secret), {
      algorithms: [ALG],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["sub", "exp", "iat"],
    });
    const role = payload.role;
    const restrictedUntil = payload.restrictedUntil;
    if (
      typeof payload.sub !== "string" ||
      !UUID.test(payload.sub) ||
      !ROLES.includes(role as Role) ||
      (restrictedUntil !== undefined && !Number.isSafeInteger(restrictedUntil))
    ) {
      return { ok: false, reason: "invalid" };
    }
    return {
      ok: true,
      claims: {
        userId: payload.sub,
        role: role as Role,
        issuedAtMs: Math.round((payload.iat ?? 0) * 1000),
        restrictedUntilMs:
          restrictedUntil === undefined ? null : (restrictedUntil as number) * 1000,
      },
    };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
    return { ok: false, reason: "invalid" };
  }
}
