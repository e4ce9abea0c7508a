import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../../scripts/lib/migrate";
import { resolveTestDatabase } from "../../scripts/lib/postgres";
import { startWsProxy } from "../../scripts/lib/ws-proxy";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    wsProxy: string;
  }
}

/**
 * A fresh database for this run (the local server when it answers, embedded PGlite
 * otherwise; under CI=true the server is required), migrated, behind the proxy.
 */
export default async function setup(project: TestProject) {
  const database = await resolveTestDatabase();
  await migrateDatabase(database.url);
  const url = new URL(database.url);
  const proxy = await startWsProxy({
    target: { host: url.hostname, port: Number(url.port || 5432) },
  });
  project.provide("databaseUrl", database.url);
  project.provide("wsProxy", proxy.address);
  console.log(`[test] Postgres: ${database.kind}; proxy on ${proxy.address}`);
  return async () => {
    await proxy.close();
    await database.stop();
  };
}
