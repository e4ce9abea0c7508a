import type { Cache } from "../../core/ports/cache";

/**
 * "This account's access tokens stopped working at time T", kept in the cache for as long
 * as an access token can live. The apply hot path checks it (in the ApplyGuard's one Redis
 * call, workers/adapters/upstash/apply-guard.ts) instead of looking the user up in
 * Postgres: a flood of first-time applicants must not open a connection each (see
 * docs/decisions/0008-auth-on-the-apply-path.md).
 */
export const revocationKey = (userId: string) => `revoked:user:${userId}`;

export async function revokeAccessTokens(
  cache: Cache,
  userId: string,
  accessTokenTtlSeconds: number,
): Promise<void> {
  if (!cache.enabled) return;
  await cache.set(revocationKey(userId), Date.now(), accessTokenTtlSeconds + 60);
}
