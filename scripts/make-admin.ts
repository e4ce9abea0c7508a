// `npm run admin:grant -- someone@example.com` (or an account id): makes an existing, live
// account ADMIN in DATABASE_URL if set, else in the embedded dev database of `npm start`
// (.data/pglite; stop `npm start` first, PGlite allows one process). Sign-up never grants
// ADMIN, so this operator's action is the only way to an admin (docs/decisions/0021).
import pg from "pg";
import { cacheKeys } from "../workers/cache/keys";
import { DEV_PGLITE_DIR, redact } from "./local-stack/postgres/choose-database";
import { startEmbeddedPostgres } from "./local-stack/postgres/embedded-postgres";

const USAGE = "usage: npm run admin:grant -- <someone@example.com | account id>";
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const ACCOUNT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== "--");
  const who = args[0]?.trim().toLowerCase();
  if (args.length !== 1 || !who || !(EMAIL.test(who) || ACCOUNT_ID.test(who))) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const fromEnv = process.env.DATABASE_URL;
  const embedded = fromEnv ? null : await startEmbeddedPostgres({ dataDir: DEV_PGLITE_DIR });
  const url = fromEnv ?? embedded?.url ?? "";
  try {
    const userId = await grantAdmin(url, who);
    if (!userId) {
      console.error(`[admin] no live account ${who} in ${where(fromEnv)}`);
      process.exitCode = 1;
      return;
    }
    await forgetCachedUser(userId);
    console.log(`[admin] ${who} (${userId}) is now ADMIN (${where(fromEnv)})`);
  } finally {
    await embedded?.stop();
  }
}

/** The id of the live account with that e-mail or id, now ADMIN; null when there is none. */
async function grantAdmin(url: string, who: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    const res = await client.query<{ id: string }>(
      `UPDATE users SET role = 'ADMIN', updated_at = now()
        WHERE ${ACCOUNT_ID.test(who) ? "id = $1::uuid" : "email = $1"} AND deleted_at IS NULL
        RETURNING id`,
      [who],
    );
    return res.rows[0]?.id ?? null;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The API reads the caller's role from a short-lived cache of the user: drop the entry when
 * the cache is reachable from here (same UPSTASH_REDIS_REST_* as the app); otherwise the new
 * role applies once the entry expires (CACHE_TTL_SECONDS).
 */
async function forgetCachedUser(userId: string): Promise<void> {
  const url = process.env.UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) return;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(["DEL", cacheKeys.user(userId)]),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    console.warn(
      `[admin] could not clear the cached user (${err instanceof Error ? err.message : String(err)}); ` +
        "the role applies once the cache entry expires",
    );
  }
}

function where(fromEnv: string | undefined): string {
  return fromEnv ? redact(fromEnv) : `the embedded database in ${DEV_PGLITE_DIR}`;
}

main().catch((err: unknown) => {
  console.error(`[admin] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
