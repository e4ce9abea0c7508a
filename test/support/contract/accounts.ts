import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { expect, inject } from "vitest";
import { ISO_INSTANT } from "../shared/values";
import { api } from "./client";

/** Accounts over HTTP, for the accounts' contract tests: sign-up, login, the operator's grant. */

const run = promisify(execFile);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const PASSWORD = "a long enough password";

/** A unique address, lower case: the API stores e-mails lower-cased. */
export const freshEmail = (tag = "acct") => `${tag}-${crypto.randomUUID()}@tryit.test`;

export async function signUp(body: Record<string, unknown>) {
  return api("POST", "/v1/auth/signup", {
    body: { email: freshEmail(), password: PASSWORD, name: "Ada", ...body },
  });
}

export async function logIn(email: string, password = PASSWORD) {
  return api("POST", "/v1/auth/login", { body: { email, password } });
}

/** A signed-up account and the token pair of one login. */
export async function signedIn() {
  const email = freshEmail();
  const created = await signUp({ email });
  expect(created.status).toBe(201);
  const login = await logIn(email);
  expect(login.status).toBe(200);
  return {
    id: created.body.id as string,
    email,
    accessToken: login.body.accessToken as string,
    refreshToken: login.body.refreshToken as string,
  };
}

export function refresh(refreshToken: string) {
  return api("POST", "/v1/auth/refresh", { body: { refreshToken } });
}

export function expectUserShape(user: Record<string, unknown>) {
  expect(user).toMatchObject({
    id: expect.stringMatching(UUID),
    email: expect.any(String),
    name: expect.any(String),
    role: expect.stringMatching(/^(MEMBER|COMPANY|ADMIN)$/),
    createdAt: expect.stringMatching(ISO_INSTANT),
  });
  expect(user).toHaveProperty("slackId");
  // Never a password or its hash, under any name.
  expect(Object.keys(user).filter((k) => /pass|hash/i.test(k))).toEqual([]);
}

/** The operator's command against the target's database (and its cache, to drop the role). */
export async function grantAdmin(who: string): Promise<void> {
  const env = inject("targetEnv");
  await run(resolve("node_modules/.bin/tsx"), ["scripts/make-admin.ts", who], {
    env: {
      ...process.env,
      DATABASE_URL: inject("databaseUrl"),
      ...(env.UPSTASH_REDIS_REST_URL && {
        UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL,
        UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN,
      }),
    },
  });
}
