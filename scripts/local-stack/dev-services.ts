// What `npm start` and `npm run start:deno` both need before the API process starts: a
// database (DATABASE_URL, or embedded PGlite under the data folder), a WebSocket proxy in
// front of it (the Neon driver speaks WebSocket, not TCP), migrations, a per-machine JWT
// secret, receipt signing key and personal data keys, and, with REDIS_URL, the Upstash REST
// bridge (the read cache on).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { refuseRemovedVariables } from "../../workers/config";
import { devPersonalDataKeys } from "./personal-data-keys";
import { type ResolvedDatabase, redact, resolveDevDatabase } from "./postgres/choose-database";
import { migrateDatabase } from "./postgres/migrate";
import { devReceiptSigningKey } from "./receipt-key";
import { type RedisBridge, redactRedisUrl, startRedisBridge } from "./upstash-bridge/rest-bridge";
import { startWsProxy, type WsProxy } from "./ws-proxy/ws-proxy";

export interface DevServices {
  db: ResolvedDatabase<"env" | "embedded">;
  /**
   * The API's environment: DATABASE_URL, PG_WS_PROXY, JWT_SECRET, RECEIPT_SIGNING_KEY (and
   * RECEIPT_PUBLIC_KEYS when set), PERSONAL_DATA_KEYS and PERSONAL_DATA_KEY_ID, Redis,
   * PUBLIC_URL.
   */
  vars: Record<string, string>;
  /** Reverse order of start; every step runs even if one fails. */
  stop(): Promise<void>;
}

export async function startDevServices(
  dataDir: string,
  log: (message: string) => void,
): Promise<DevServices> {
  // wrangler dev never sees this process's environment: refuse here what the API would.
  refuseRemovedVariables(process.env);
  let proxy: WsProxy | undefined;
  let redis: RedisBridge | undefined;
  const db = await resolveDevDatabase(resolve(dataDir, "pglite"));
  const stop = async () => {
    const errors: unknown[] = [];
    for (const close of [() => redis?.close(), () => proxy?.close(), () => db.stop()]) {
      await Promise.resolve(close()).catch((err: unknown) => errors.push(err));
    }
    if (errors.length) throw new AggregateError(errors, "stopping dev services failed");
  };
  try {
    log(
      `database: ${db.kind === "embedded" ? `embedded PGlite in ${db.dataDir}` : redact(db.url)}`,
    );
    const target = new URL(db.url);
    // Neon endpoints speak WebSocket themselves; any other Postgres needs the local proxy.
    if (!target.hostname.endsWith(".neon.tech")) {
      proxy = await startWsProxy({
        target: { host: target.hostname, port: Number(target.port || 5432) },
      });
    }
    await migrateDatabase(db.url);

    const vars: Record<string, string> = {
      DATABASE_URL: db.url,
      JWT_SECRET: jwtSecret(dataDir, log),
      RECEIPT_SIGNING_KEY: devReceiptSigningKey(dataDir, log),
      ...devPersonalDataKeys(dataDir, log),
    };
    if (process.env.RECEIPT_PUBLIC_KEYS) vars.RECEIPT_PUBLIC_KEYS = process.env.RECEIPT_PUBLIC_KEYS;
    if (proxy) vars.PG_WS_PROXY = proxy.address;
    if (process.env.PUBLIC_URL) vars.PUBLIC_URL = process.env.PUBLIC_URL;
    if (process.env.REDIS_URL) {
      // A fresh token per run: only this run's API can use the bridge.
      const token = randomBytes(24).toString("hex");
      redis = await startRedisBridge({ redisUrl: process.env.REDIS_URL, token });
      vars.UPSTASH_REDIS_REST_URL = redis.url;
      vars.UPSTASH_REDIS_REST_TOKEN = token;
    }
    log(
      redis
        ? `cache: on (${redactRedisUrl(process.env.REDIS_URL ?? "")} via ${redis.url})`
        : "cache: off (set REDIS_URL=redis://127.0.0.1:6379 to turn it on)",
    );
    return { db, vars, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

// A per-machine secret that survives restarts (sessions stay valid) and never enters git.
function jwtSecret(dataDir: string, log: (message: string) => void): string {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const file = resolve(dataDir, "dev-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  log(`generated a dev JWT secret in ${file}`);
  return secret;
}
