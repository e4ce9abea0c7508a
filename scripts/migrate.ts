// `npm run db:migrate`: migrate DATABASE_URL if set, else the embedded dev database that
// `npm start` uses (.data/pglite). `npm start` also migrates on boot, so this is for when you
// want the schema without starting the app (e.g. after pulling new migrations).

import { DEV_PGLITE_DIR, redact } from "./local-stack/postgres/choose-database";
import { startEmbeddedPostgres } from "./local-stack/postgres/embedded-postgres";
import { migrateDatabase } from "./local-stack/postgres/migrate";

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) {
    await migrateDatabase(url);
    console.log(`[db] migrated ${redact(url)}`);
    return;
  }
  const embedded = await startEmbeddedPostgres({ dataDir: DEV_PGLITE_DIR });
  try {
    await migrateDatabase(embedded.url);
    console.log(`[db] migrated embedded database in ${DEV_PGLITE_DIR}`);
  } finally {
    await embedded.stop();
  }
}

main().catch((err: unknown) => {
  // drizzle wraps SQL errors ("Failed query: ..."); the Postgres reason is in `cause`.
  const cause =
    err instanceof Error && err.cause instanceof Error ? `\n  ${err.cause.message}` : "";
  console.error(
    `[db] migration failed: ${err instanceof Error ? err.message : String(err)}${cause}`,
  );
  process.exitCode = 1;
});
