import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Role } from "../../core/vocabulary/roles";
import type { Database } from "../../db/client";
import { refreshTokens, users } from "../../db/schema";
import type { Config } from "../config";
import { AppError } from "../errors";
import { restrictionOf } from "../strikes/reliability";
import { hashRefreshToken, newRefreshToken } from "./refresh-tokens";
import { signAccessToken } from "./tokens";

/**
 * Sessions: one refresh-token family per login. Every refresh spends the presented token and
 * issues the next one in the same family (rotation); a spent or revoked token presented again
 * means a copy is in someone else's hands, so the whole family dies (reuse detection) and the
 * legitimate holder has to log in again — the thief's copy dies with it.
 */

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  expiresIn: number;
}

type Executor = Pick<Database, "insert" | "select">;

/**
 * A new access token and a new refresh token in the given family. A MEMBER's access token
 * carries their restriction as it stands (claim `restrictedUntil`, docs/decisions/0036), so
 * the apply route refuses a restricted member without a database call.
 */
export async function issueTokens(
  db: Executor,
  config: Config,
  user: { id: string; role: Role },
  familyId: string,
): Promise<TokenPair> {
  const refreshToken = newRefreshToken();
  await db.insert(refreshTokens).values({
    id: crypto.randomUUID(),
    userId: user.id,
    familyId,
    tokenHash: await hashRefreshToken(refreshToken),
    expiresAt: new Date(Date.now() + config.refreshTokenTtlSeconds * 1000),
  });
  // The token's instant is taken BEFORE the strikes are read: a strike committed after the
  // read is followed by a revocation at a later instant (restrictionChanged), which then
  // ends this token too. Taken after, a token without the restriction could outlive it.
  const issuedAtMs = Date.now();
  const restrictedUntilMs =
    user.role === "MEMBER" ? await restrictionOf(db, user.id, issuedAtMs) : null;
  const accessToken = await signAccessToken(
    { userId: user.id, role: user.role, restrictedUntilMs },
    config.jwtSecret,
    config.accessTokenTtlSeconds,
    issuedAtMs,
  );
  return {
    accessToken,
    refreshToken,
    tokenType: "Bearer",
    expiresIn: config.accessTokenTtlSeconds,
  };
}

/**
 * Exchanges a refresh token for a new pair. The spend is one conditional UPDATE, so of two
 * concurrent refreshes with one token exactly one matches the row. Spend and issue share a
 * transaction: the loser's UPDATE waits on the row lock until the winner has committed its
 * new token, so the loser's family revocation always reaches that new token too (a client
 * that double-submits is treated like a thief; it logs in again).
 */
export async function rotateRefreshToken(
  db: Database,
  config: Config,
  presented: string,
): Promise<TokenPair> {
  const tokenHash = await hashRefreshToken(presented);
  const pair = await db.transaction(async (tx) => {
    const [spent] = await tx
      .update(refreshTokens)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(refreshTokens.tokenHash, tokenHash),
          isNull(refreshTokens.usedAt),
          isNull(refreshTokens.revokedAt),
          sql`${refreshTokens.expiresAt} > now()`,
        ),
      )
      .returning({ userId: refreshTokens.userId, familyId: refreshTokens.familyId });
    if (!spent) return null;
    // The role is read now, not copied from the old token: a role change (or a deletion)
    // takes effect at the next refresh.
    const [user] = await tx
      .select({ id: users.id, role: users.role })
      .from(users)
      .where(and(eq(users.id, spent.userId), isNull(users.deletedAt)))
      .limit(1);
    if (!user) return null;
    return issueTokens(tx, config, user, spent.familyId);
  });
  if (pair) return pair;
  await revokeFamilyIfReused(db, tokenHash);
  throw invalidRefreshToken();
}

/** A token that exists but was spent or revoked is a replay: revoke every token of its login. */
async function revokeFamilyIfReused(db: Database, tokenHash: string): Promise<void> {
  const [known] = await db
    .select({
      familyId: refreshTokens.familyId,
      usedAt: refreshTokens.usedAt,
      revokedAt: refreshTokens.revokedAt,
    })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  if (known && (known.usedAt || known.revokedAt)) await revokeFamily(db, known.familyId);
}

async function revokeFamily(db: Pick<Database, "update">, familyId: string) {
  await db
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/**
 * Logout revokes the family of the given token, but only when the caller owns it; otherwise
 * nothing happens and the answer is the same, so the endpoint reveals no token's existence.
 */
export async function revokeOwnFamily(
  db: Database,
  userId: string,
  presented: string,
): Promise<void> {
  const tokenHash = await hashRefreshToken(presented);
  const owned = db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.tokenHash, tokenHash), eq(refreshTokens.userId, userId)));
  await db
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(inArray(refreshTokens.familyId, owned), isNull(refreshTokens.revokedAt)));
}

/**
 * The user's access tokens issued at or before `at` are refused from now on by every route
 * that looks the account up (docs/decisions/0024). Never moved back: of two revocations
 * the later instant holds (GREATEST ignores the NULL of an account never revoked).
 */
export async function endAccessTokens(
  db: Pick<Database, "update">,
  userId: string,
  at: Date,
): Promise<void> {
  await db
    .update(users)
    .set({
      tokensValidAfter: sql`greatest(${users.tokensValidAfter}, ${at.toISOString()}::timestamptz)`,
    })
    .where(eq(users.id, userId));
}

/** Every session of the user ends (password change, account deletion). */
export async function revokeAllSessions(
  db: Pick<Database, "update">,
  userId: string,
): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
}

function invalidRefreshToken(): AppError {
  return new AppError(
    "INVALID_REFRESH_TOKEN",
    "The refresh token is not valid (unknown, expired, used or revoked); log in again.",
  );
}
