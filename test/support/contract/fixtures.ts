import pg from "pg";
import { afterAll, inject } from "vitest";
import type { Role } from "../../../core/vocabulary/roles";
import { hashPassword } from "../../../workers/auth/password";
import { signAccessToken } from "../../../workers/auth/tokens";
import { catalogFixtures } from "../shared/catalog-fixtures";
import { api } from "./client";

/**
 * Every test file makes its own users, products and trials. Users go straight into Postgres
 * with tokens signed by the target's secret, so 250 members do not cost 250 password hashes
 * (sign-up and login have their own tests); products and trials go through the API.
 */
export const FIXTURE_PASSWORD = "correct horse battery";

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  token: string;
}

const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 4 });
afterAll(() => pool.end());

/** One query against the target's database: for fixtures and for checking what it persisted. */
export async function sql<T extends pg.QueryResultRow = any>(
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result = await pool.query<T>(text, params);
  return result.rows;
}

let fixtureHash: Promise<string> | null = null;
const secret = new TextEncoder().encode(inject("jwtSecret"));

export async function createUsers(role: Role, count: number): Promise<TestUser[]> {
  fixtureHash ??= hashPassword(FIXTURE_PASSWORD);
  const hash = await fixtureHash;
  const users = Array.from({ length: count }, () => {
    const id = crypto.randomUUID();
    return { id, email: `${role.toLowerCase()}-${id}@tryit.test`, role };
  });
  for (let i = 0; i < users.length; i += 500) {
    const chunk = users.slice(i, i + 500);
    await sql(
      `INSERT INTO users (id, email, password_hash, name, role)
       SELECT u.id, u.email, $2, 'User ' || left(u.id::text, 8), u.role
         FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, email text, role text)`,
      [JSON.stringify(chunk), hash],
    );
  }
  return Promise.all(
    users.map(async (u) => ({
      ...u,
      token: await signAccessToken({ userId: u.id, role }, secret, 900),
    })),
  );
}

export async function createUser(role: Role): Promise<TestUser> {
  const [user] = await createUsers(role, 1);
  if (!user) throw new Error("no user created");
  return user;
}

export const { createProduct, createTrial } = catalogFixtures(api);
export { waitFor } from "../shared/api";
