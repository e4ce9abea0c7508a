import { Client, type ClientConfig, Pool } from "@neondatabase/serverless";
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

/**
 * How long a caller waits for a database connection before the request answers 503, on
 * every platform: in a pool's queue (Deno), or for a new connection queued at the pooler in
 * front of Postgres (Workers open one per request: docs/decisions/0025). A burst queues for
 * seconds; a database that is gone fails in bounded time. (Workers once waited only 5 s:
 * on a slower 2-CPU machine a 200-read burst behind 40 upstream sockets queued longer.)
 */
const CONNECTION_WAIT_MS = 10_000;
/**
 * What our backends are called in pg_stat_activity: an operator (and the connection-reuse
 * test) tells the API's connections from everyone else's.
 */
export const APPLICATION_NAME = "tryit-api";

/**
 * Proxy settings go on the client's own socket config, not the module-global neonConfig,
 * so two connections with different settings in one isolate never race each other.
 */
function configureProxy(client: Client, wsProxy: string | undefined): void {
  if (!wsProxy) return;
  const socket = client.neonConfig;
  socket.wsProxy = (host, port) => `${wsProxy}/v1?address=${host}:${port}`;
  socket.useSecureWebSocket = false;
  socket.pipelineConnect = false;
  socket.pipelineTLS = false;
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
  const client = new Client({
    connectionString: cfg.url,
    connectionTimeoutMillis: CONNECTION_WAIT_MS,
    application_name: APPLICATION_NAME,
  });
  configureProxy(client, cfg.wsProxy);
  // The driver emits socket errors as events; without a listener they would be thrown
  // from nowhere and kill the invocation.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    // The driver rejects with whatever the socket gave it (an ErrorEvent from a WebSocket,
    // say): give callers one recognisable error for "cannot reach Postgres".
    // Not awaited: end() on a client whose socket never opened may never settle.
    void client.end().catch(() => {});
    throw new DatabaseUnavailableError(err);
  }
  return {
    db: drizzle({ client, schema }),
    close: async () => {
      await client.end().catch(() => {});
    },
  };
}

/** How one request reaches Postgres: `db()` on first use, `close()` when the request ends. */
export interface DatabaseHandle {
  db(): Promise<Database>;
  close(): Promise<void>;
}

/**
 * A connection of its own, opened on first use, for runtimes that may not keep a socket
 * past the request that opened it (Workers): routes that never touch Postgres (the apply
 * hot path) never pay for a connection. See docs/decisions/0025.
 */
export class DatabaseSession implements DatabaseHandle {
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

/** Connections one pool keeps open at most; further callers queue for one of them. */
export const POOL_MAX = 10;

/**
 * One pool per isolate, for runtimes that may keep sockets across requests (Deno): requests
 * reuse up to POOL_MAX connections and queue for them beyond that, instead of each opening
 * its own and meeting Postgres' max_connections (docs/decisions/0025).
 */
export class DatabasePool {
  private readonly pool: Pool;
  private readonly database: Database;

  constructor(cfg: DatabaseConfig, max = POOL_MAX) {
    this.pool = new Pool({
      connectionString: cfg.url,
      max,
      connectionTimeoutMillis: CONNECTION_WAIT_MS,
      application_name: APPLICATION_NAME,
    });
    const wsProxy = cfg.wsProxy;
    if (wsProxy) {
      // The pool builds its clients itself: each gets the proxy on its own socket config.
      this.pool.Client = class ProxiedClient extends Client {
        constructor(config?: string | ClientConfig) {
          super(config);
          configureProxy(this, wsProxy);
        }
      };
    }
    // An idle connection whose socket dropped: the pool discards it and opens another when
    // needed; without a listener the event would crash the process.
    this.pool.on("error", () => {});
    this.database = drizzle({ client: this.pool, schema });
  }

  /** What a request holds: the shared pool, nothing of its own to close. */
  handle(): DatabaseHandle {
    const database = this.database;
    return { db: async () => database, close: async () => {} };
  }

  /** For consumers and jobs that take a Connection: the pool again, closed with the pool. */
  connection(): Connection {
    return { db: this.database, close: async () => {} };
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  constructor(cause: unknown) {
    super(`cannot reach the database: ${describe(cause)}`, { cause });
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  const message = (cause as { message?: unknown; type?: unknown })?.message;
  if (typeof message === "string" && message) return message;
  const type = (cause as { type?: unknown })?.type;
  return typeof type === "string" ? `${type} event` : String(cause);
}

/** SQLSTATE classes that mean "the database is not there right now", not "bad data". */
const UNAVAILABLE_SQLSTATES = /^(08|53|57P)/;

/** True when an error means the database is unreachable or overloaded (retry later). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code))
    return UNAVAILABLE_SQLSTATES.test(code);
  // No SQLSTATE: the socket to Postgres broke mid-query (the driver's own wording).
  return /connection terminated|connection lost|ECONNRESET|ECONNREFUSED|EPIPE|timeout exceeded when trying to connect/i.test(
    err.message,
  );
}
