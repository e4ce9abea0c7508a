import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { refreshTokens, users } from "../../db/schema";
import { burnVerification, hashPassword, verifyPassword } from "../auth/password";
import { hashRefreshToken, newRefreshToken } from "../auth/refresh-tokens";
import type { Role } from "../auth/roles";
import { signAccessToken } from "../auth/tokens";
import type { Config } from "../config";
import { AppError } from "../errors";

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
  role: "MEMBER" | "COMPANY";
  slackId?: string | undefined;
}

export type UserRow = typeof users.$inferSelect;

/** Addresses listed in ADMIN_EMAILS become ADMIN at sign-up: admins come from config only. */
export async function signUp(db: Database, config: Config, input: SignUpInput): Promise<UserRow> {
  const email = input.email.toLowerCase();
  const role: Role = config.adminEmails.has(email) ? "ADMIN" : input.role;
  const passwordHash = await hashPassword(input.password);
  const rows = await db
    .insert(users)
    .values({
      id: crypto.randomUUID(),
      email,
      passwordHash,
      name: input.name,
      role,
      slackId: input.slackId ?? null,
    })
    .onConflictDoNothing({ target: users.email, where: sql`${users.deletedAt} IS NULL` })
    .returning();
  const user = rows[0];
  if (!user) throw new AppError("EMAIL_TAKEN", "An account with this e-mail already exists.");
  return user;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  expiresIn: number;
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
  return issueTokens(db, config, user, crypto.randomUUID());
}

/** A new access token and a new refresh token in the given family (one family per login). */
export async function issueTokens(
  db: Database,
  config: Config,
  user: Pick<UserRow, "id" | "role">,
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
  const accessToken = await signAccessToken(
    { userId: user.id, role: user.role },
    config.jwtSecret,
    config.accessTokenTtlSeconds,
  );
  return {
    accessToken,
    refreshToken,
    tokenType: "Bearer",
    expiresIn: config.accessTokenTtlSeconds,
  };
}

export async function getLiveUser(db: Database, userId: string): Promise<UserRow | null> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)))
    .limit(1);
  return user ?? null;
}

function invalidCredentials(): AppError {
  return new AppError("INVALID_CREDENTIALS", "The e-mail or password is wrong.");
}
