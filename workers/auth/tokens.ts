import { errors, jwtVerify, SignJWT } from "jose";
import type { Role } from "./roles";
import { ROLES } from "./roles";

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
}

export interface VerifiedClaims extends AccessClaims {
  /**
   * When the token was issued, in milliseconds: `iat_ms`, else `iat` (whole seconds, so at or
   * before the real instant: such a token counts as older, never younger, than it is).
   */
  issuedAtMs: number;
}

/**
 * `iat` is in whole seconds, too coarse to tell a token issued just before a logout or a
 * password change from one issued just after it in the same second (docs/decisions/0029):
 * `iat_ms` carries the same instant in milliseconds.
 */
const IAT_MS = "iat_ms";

export async function signAccessToken(
  claims: AccessClaims,
  secret: Uint8Array,
  ttlSeconds: number,
  issuedAtMs = Date.now(),
): Promise<string> {
  const iat = Math.floor(issuedAtMs / 1000);
  return new SignJWT({ role: claims.role, [IAT_MS]: issuedAtMs })
    .setProtectedHeader({ alg: ALG, typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(secret);
}

/** `iat_ms` when it is an instant within the token's `iat` second, else the second itself. */
function issuedAtMsOf(payload: { iat?: number; [claim: string]: unknown }): number {
  const secondMs = (payload.iat ?? 0) * 1000;
  const ms = payload[IAT_MS];
  return typeof ms === "number" &&
    Number.isSafeInteger(ms) &&
    ms >= secondMs &&
    ms < secondMs + 1000
    ? ms
    : secondMs;
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
    if (
      typeof payload.sub !== "string" ||
      !UUID.test(payload.sub) ||
      !ROLES.includes(role as Role)
    ) {
      return { ok: false, reason: "invalid" };
    }
    return {
      ok: true,
      claims: { userId: payload.sub, role: role as Role, issuedAtMs: issuedAtMsOf(payload) },
    };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
    return { ok: false, reason: "invalid" };
  }
}
