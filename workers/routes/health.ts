import { sql } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../context";

const CHECK_TIMEOUT_MS = 3_000;

/** Liveness that means something: 200 only when Postgres answers a query. */
export const healthRoutes = new Hono<AppEnv>().get("/healthz", async (c) => {
  const { db, cache, config } = c.var.deps;
  const [dbOk, cacheOk] = await Promise.all([
    withTimeout(db.db().then((d) => d.execute(sql`select 1`))).then(
      () => true,
      () => false,
    ),
    cache.enabled ? withTimeout(cache.ping()).catch(() => false) : Promise.resolve(true),
  ]);
  const checks = {
    db: dbOk ? "ok" : "down",
    cache: cache.enabled ? (cacheOk ? "ok" : "down") : "off",
  };
  if (!dbOk) c.header("Retry-After", "5");
  return c.json({ ok: dbOk, version: config.version, checks }, dbOk ? 200 : 503);
});

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), CHECK_TIMEOUT_MS);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
