// Applies the drizzle-kit migrations in <repo>/migrations with drizzle's own migrator, which
// records applied files in drizzle.__drizzle_migrations, so running it again is a no-op.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

const MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations", import.meta.url));

// Arbitrary constant shared by everyone migrating this app: `npm start`, `npm run db:migrate`
// and the test setup may run at once against one database, and drizzle's migrator has no lock.
const MIGRATION_LOCK_KEY = 727_001;

export async function migrateDatabase(
  url: string,
  { migrationsFolder = MIGRATIONS_DIR } = {},
): Promise<void> {
  if (!existsSync(`${migrationsFolder}/meta/_journal.json`)) {
    // Before the first `drizzle-kit generate` there is nothing to apply; say so instead of failing.
    console.warn(`[db] no migrations in ${migrationsFolder} (missing meta/_journal.json); skipped`);
    return;
  }
  // Embedded PGlite is one backend session shared by every connection, so advisory locks are
  // re-entrant there and exclude nothing: serialize in this process as well (only one process
  // can open an embedded database, see embedded-postgres.ts).
  const previous = inProcess.get(url) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => migrateLocked(url, migrationsFolder));
  inProcess.set(url, run);
  return run;
}

const inProcess = new Map<string, Promise<void>>();

async function migrateLocked(url: string, migrationsFolder: string): Promise<void> {
  // One connection, so the advisory lock and the migration share a session.
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder });
    } finally {
      // Explicit: on PGlite closing this connection does not end the (shared) session.
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end().catch(() => {});
  }
}
