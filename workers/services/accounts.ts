import { and, desc, eq, ilike, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Role, SignupRole } from "../../core/vocabulary/roles";
import type { Database } from "../../db/client";
import { users } from "../../db/schema";
import { burnVerification, hashPassword, verifyPassword } from "../auth/password";
import { endAccessTokens, issueTokens, revokeAllSessions, type TokenPair } from "../auth/sessions";
import type { Config } from "../config";
import { AppError } from "../errors";
import { eraseAddressesOf } from "../personal-data/erasure";

export type { TokenPair } from "../auth/sessions";

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
  role: SignupRole;
}

export type UserRow = typeof users.$inferSelect;

/**
 * A new account has the role it asked for, MEMBER or COMPANY and nothing else: an address
 * proves nothing here (it is never verified), so ADMIN comes only from an operator's action
 * on an existing account (`npm run admin:grant`, docs/decisions/0021).
 */
export async function signUp(db: Database, input: SignUpInput): Promise<UserRow> {
  const email = input.email.toLowerCase();
  const role: Role = input.role;
  const passwordHash = await hashPassword(input.password);
  const rows = await db
    .insert(users)
    .values({
      id: crypto.randomUUID(),
      email,
      passwordHash,
      name: input.name,
      role,
    })
    .onConflictDoNothing({ target: users.email, where: sql`${users.deletedAt} IS NULL` })
    .returning();
  const user = rows[0];
  if (!user) throw new AppError("EMAIL_TAKEN", "An account with this e-mail already exists.");
  return user;
}

export async function logIn(
  db: Database,
  config: Config,
  input: { email: string; password: string },
): Promise<TokenPair> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.email, input.email.toLowerCase()), isNull(users.deletedAt)))
    .limit(1);
  if (!user) {
    await burnVerification(input.password);
    throw invalidCredentials();
  }
  if (!(await verifyPassword(input.password, user.passwordHash))) throw invalidCredentials();
  // Each login starts its own refresh-token family, so one device's logout or a replay
  // detected on one device leaves the others signed in.
  return issueTokens(db, config, user, crypto.randomUUID());
}

export async function getLiveUser(db: Database, userId: string): Promise<UserRow | null> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)))
    .limit(1);
  return user ?? null;
}

/** The Slack id is not here: it is linked only with proof (services/slack-link.ts). */
export interface ProfileChanges {
  name?: string | undefined;
}

export async function updateProfile(
  db: Database,
  userId: string,
  changes: ProfileChanges,
): Promise<UserRow> {
  const [user] = await db
    .update(users)
    .set({
      ...(changes.name !== undefined && { name: changes.name }),
      updatedAt: sql`now()`,
    })
    .where(and(eq(users.id, userId), isNull(users.deletedAt)))
    .returning();
  if (!user) throw accountGone();
  return user;
}

/**
 * The current password proves the caller is the account holder and not just someone holding
 * a stolen access token. Every session ends with the change, so a thief's refresh token dies,
 * and every access token issued until `revokeAccessTokens` runs is refused from then on.
 */
export async function changePassword(
  db: Database,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  /** Revokes the account's access tokens on the platform; answers the instant (see 0024). */
  revokeAccessTokens: () => Promise<Date>,
): Promise<void> {
  const [user] = await db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)))
    .limit(1);
  if (!user) throw accountGone();
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new AppError("WRONG_PASSWORD", "The current password is wrong.");
  }
  const passwordHash = await hashPassword(input.newPassword);
  const revokedAt = await revokeAccessTokens();
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: sql`now()` }).where(eq(users.id, userId));
    await endAccessTokens(tx, userId, revokedAt);
    await revokeAllSessions(tx, userId);
  });
}

/**
 * Soft delete: the row stays for the history of applications and reviews, the address is
 * free for a new sign-up, every session ends, and the member's shipping addresses are
 * erased. Access tokens already issued are refused by requireAuth, which only admits live
 * users, and on the apply path by the revocation the caller published first (`revokedAt`,
 * docs/decisions/0024).
 */
export async function deleteAccount(db: Database, userId: string, revokedAt: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ deletedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(users.id, userId), isNull(users.deletedAt)));
    await endAccessTokens(tx, userId, revokedAt);
    await revokeAllSessions(tx, userId);
    // A deleted member's addresses go at once, not after the trial's retention period
    // (docs/decisions/0034): nothing is left to ship to an account that no longer exists.
    await eraseAddressesOf(tx, userId);
  });
}

export interface UserListQuery {
  role?: Role | undefined;
  q?: string | undefined;
  limit: number;
  /** The sort key of the last row of the previous page. */
  after?: UserSortKey | null | undefined;
}

export interface UserSortKey {
  createdMs: number;
  id: string;
}

/**
 * Live users, newest first, each with its sort key. The key is created_at in whole
 * milliseconds computed by Postgres: the column holds microseconds, and a cursor built from
 * a JavaScript Date (milliseconds) would skip or repeat rows created within one millisecond.
 */
export async function listUsers(
  db: Database,
  query: UserListQuery,
): Promise<{ user: UserRow; key: UserSortKey }[]> {
  const createdMs = sql<string>`floor(extract(epoch from ${users.createdAt}) * 1000)`;
  const filters: SQL[] = [isNull(users.deletedAt)];
  if (query.role) filters.push(eq(users.role, query.role));
  if (query.q) {
    const pattern = `%${escapeLike(query.q)}%`;
    const matches = or(ilike(users.email, pattern), ilike(users.name, pattern));
    if (matches) filters.push(matches);
  }
  if (query.after) {
    filters.push(
      sql`(${createdMs}, ${users.id}) < (${query.after.createdMs}, ${query.after.id}::uuid)`,
    );
  }
  const rows = await db
    .select({ user: users, createdMs })
    .from(users)
    .where(and(...filters))
    .orderBy(desc(createdMs), desc(users.id))
    .limit(query.limit + 1);
  return rows.map((r) => ({
    user: r.user,
    key: { createdMs: Number(r.createdMs), id: r.user.id },
  }));
}

/** LIKE treats % and _ as wildcards and \ as its escape: a search for "a_b" means "a_b". */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

function invalidCredentials(): AppError {
  return new AppError("INVALID_CREDENTIALS", "The e-mail or password is wrong.");
}

function accountGone(): AppError {
  return new AppError("UNAUTHORIZED", "This account no longer exists.");
}
