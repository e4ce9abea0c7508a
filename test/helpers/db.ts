import { env } from "cloudflare:workers";
import { connect, type Database } from "../../db/client";
import { parseConfig } from "../../workers/config";

export function testConfig() {
  return parseConfig(env as unknown as Record<string, unknown>);
}

/** A connection for one assertion or fixture, through the same driver and proxy as the app. */
export async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const conn = await connect(testConfig().database);
  try {
    return await fn(conn.db);
  } finally {
    await conn.close();
  }
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 20_000, intervalMs = 100, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
