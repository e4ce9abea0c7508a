import type { Cache } from "../../core/ports/cache";

/**
 * "This account's access tokens stopped working at time T", kept in the cache for as long
 * as an access token can live. The apply hot path checks it (one cache read) instead of
 * looking the user up in Postgres: a flood of first-time applicants must not open a
 * connection each (see docs/decisions/0008-auth-on-the-apply-path.md).
 */
const key = (userId: string) => `revoked:user:${userId}`;

export async function revokeAccessTokens(
  cache: Cache,
  userId: string,
  accessTokenTtlSeconds: number,
): Promise<void> {
  if (!cache.enabled) return;
  await cache.set(key(userId), Date.now(), accessTokenTtlSeconds + 60);
}

/** True when tokens issued at or before the marker (JWT iat, seconds) must be refused. */
export async function isRevoked(
  cache: Cache,
  userId: string,
  issuedAtSeconds: number,
): Promise<boolean> {
  if (!cache.enabled) return false;
  const revokedAt = await cache.get<number>(key(userId));
  return typeof revokedAt === "number" && issuedAtSeconds * 1000 <= revokedAt;
}
