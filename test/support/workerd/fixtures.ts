import type { Role } from "../../../core/vocabulary/roles";
import { users } from "../../../db/schema";
import { hashPassword } from "../../../workers/auth/password";
import { signAccessToken } from "../../../workers/auth/tokens";
import { catalogFixtures } from "../shared/catalog-fixtures";
import { testConfig, withDb } from "./db";
import { api } from "./http";

/**
 * Every test file makes its own users, products and trials (no shared seed). Users are
 * inserted straight into Postgres and given tokens, so a test that needs 250 members does
 * not spend 250 password hashes; the sign-up and login routes have their own tests.
 */

export const FIXTURE_PASSWORD = "correct horse battery";
let fixtureHash: Promise<string> | null = null;

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  token: string;
}

export async function createUsers(role: Role, count: number): Promise<TestUser[]> {
  fixtureHash ??= hashPassword(FIXTURE_PASSWORD);
  const passwordHash = await fixtureHash;
  const rows = Array.from({ length: count }, () => {
    const id = crypto.randomUUID();
    return {
      id,
      email: `${role.toLowerCase()}-${id}@tryit.test`,
      passwordHash,
      name: `${role} ${id.slice(0, 8)}`,
      role,
    };
  });
  await withDb(async (db) => {
    for (let i = 0; i < rows.length; i += 500)
      await db.insert(users).values(rows.slice(i, i + 500));
  });
  const config = testConfig();
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      email: r.email,
      role,
      token: await signAccessToken({ userId: r.id, role }, config.jwtSecret, 900),
    })),
  );
}

export async function createUser(role: Role): Promise<TestUser> {
  const [user] = await createUsers(role, 1);
  if (!user) throw new Error("no user created");
  return user;
}

export const { createProduct, createTrial } = catalogFixtures(api);
