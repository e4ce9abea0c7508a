import { Client, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "./schema";

export type Database = NeonDatabase<typeof schema>;

export interface DatabaseConfig {
  url: string;
  /**
   * "host:port" of a WebSocket-to-TCP proxy in front of a plain Postgres (local
   * development and tests). Unset on Neon, whose endpoints speak WebSocket themselves.
   */
  wsProxy?: string | undefined;
}

const CONNECT_TIMEOUT_MS = 5_000;

/** neonConfig is module-global: set it once per isolate, from the entry's config. */
let proxyConfigured: string | undefined;
function configureDriver(cfg: DatabaseConfig): void {
  if (!cfg.wsProxy || proxyConfigured === cfg.wsProxy) return;
  const proxy = cfg.wsProxy;
  neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
  proxyConfigured = proxy;
}

export interface Connection {
  db: Database;
  close(): Promise<void>;
}

/**
 * One client for one request or one queue batch: Workers may not share sockets across
 * requests, and a client that outlives its invocation is killed mid-query.
 */
export async function connect(cfg: DatabaseConfig): Promise<Connection> {
  configureDriver(cfg);
  const client = new Client({ connectionString: cfg.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // The driver emits socket errors as events; without a listener they would be thrown
  // from nowhere and kill the invocation.
  client.on("error", () => {});
  await client.connect();
  return {
    db: drizzle({ client, schema }),
    close: async () => {
      await client.end().catch(() => {});
    },
  };
}

/**
 * A connection opened on first use: routes that never touch Postgres (the apply hot
 * path) never pay for a connection.
 */
export class DatabaseSession {
  private opening: Promise<Connection> | null = null;

  constructor(private readonly cfg: DatabaseConfig) {}

  async db(): Promise<Database> {
    if (!this.opening) {
      this.opening = connect(this.cfg);
      // A failed connect must not be cached: the next use tries again.
      this.opening.catch(() => {
        this.opening = null;
      });
    }
    return (await this.opening).db;
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = null;
    if (!opening) return;
    const conn = await opening.catch(() => null);
    await conn?.close();
  }
}

/** SQLSTATE classes that mean "the database is not there right now", not "bad data". */
const UNAVAILABLE_SQLSTATES = /^(08|53|57P)/;

/** True when an error means the database is unreachable or overloaded (retry later). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_SQLSTATES.test(code);
  // No SQLSTATE: a socket, WebSocket, DNS or timeout failure on the way to Postgres.
  return /connect|connection|socket|websocket|timeout|terminated|ECONN|EPIPE|network|closed/i.test(
    `${err.name} ${err.message}`,
  );
}

/** Postgres unique_violation. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; cause?: unknown };
  if (e?.code === "23505") return !constraint || e.constraint === constraint;
  return e?.cause ? isUniqueViolation(e.cause, constraint) : false;
}
