import { eq } from "drizzle-orm";
import { refreshTokens } from "../../../db/schema";
import { hashRefreshToken } from "../../../workers/auth/refresh-tokens";
import { withDb } from "./db";
import { type ApiResponse, api } from "./http";

/**
 * Accounts made through the real sign-up and login routes: these tests are about sessions,
 * so the tokens must be the ones the app issues, not minted by a fixture. Each call comes
 * from its own client address, so per-address login limits never couple two tests.
 */

export interface Account {
  id: string;
  email: string;
  password: string;
  ip: string;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
}

export const PASSWORD = "first-password-1";

function freshIp(): string {
  const b = crypto.getRandomValues(new Uint8Array(3));
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

export async function signUp(role: "MEMBER" | "COMPANY" = "MEMBER"): Promise<Account> {
  const email = `acct-${crypto.randomUUID()}@tryit.test`;
  const ip = freshIp();
  const res = await api("POST", "/v1/auth/signup", {
    body: { email, password: PASSWORD, name: "Account Holder", role },
    headers: { "cf-connecting-ip": ip },
  });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email, password: PASSWORD, ip };
}

export function logInAs(account: Account, password = account.password): Promise<ApiResponse> {
  return api("POST", "/v1/auth/login", {
    body: { email: account.email, password },
    headers: { "cf-connecting-ip": account.ip },
  });
}

export async function logIn(account: Account): Promise<Session> {
  const res = await logInAs(account);
  if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  return { accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}

export function refresh(refreshToken: string): Promise<ApiResponse> {
  return api("POST", "/v1/auth/refresh", { body: { refreshToken } });
}

/** The stored row of a refresh token (looked up by its hash, as the app does). */
export async function tokenRow(refreshToken: string) {
  const tokenHash = await hashRefreshToken(refreshToken);
  const [row] = await withDb((db) =>
    db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)),
  );
  if (!row) throw new Error("no such refresh token");
  return row;
}

/** The claims of a JWT, without verifying it (the app verified it when it issued it). */
export function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split(".")[1] ?? "";
  return JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
}
