import { env } from "cloudflare:workers";
import { connect, type Database } from "../../../db/client";
import { parseConfig } from "../../../workers/config";

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

export { waitFor } from "../shared/api";
