// An Upstash-REST-compatible HTTP server in front of a plain Redis, for `npm start`, the tests
// and the benchmarks. Production talks to Upstash itself; here the same SDK (@upstash/redis)
// talks to this bridge, so the app's Redis code runs unchanged locally.
//
// The protocol, as the SDK (node_modules/@upstash/redis, HttpClient) uses it:
//   POST /            body ["SET","k","v"]           → {"result": ...} | 400 {"error": "..."}
//   POST /pipeline    body [["GET","a"],["INCR","b"]] → [{"result": ...} | {"error": "..."}, ...]
//   POST /multi-exec  same body, run as MULTI … EXEC  → same shape (a command rejected while
//                     queueing aborts the whole transaction: 400 {"error": "EXECABORT ..."})
//   Authorization: Bearer <token> on every request (401 otherwise).
//   Upstash-Encoding: base64 (the SDK's default) → every string in a result, at any depth of
//   nesting, is the base64 of its raw bytes; numbers and null are left as they are. The SDK
//   decodes with atob + TextDecoder, so bytes come back exactly as Redis holds them.
// Lua scripts with Upstash-only shebang flags are adapted on the way (lua-scripts.ts).
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Redis from "ioredis";
import { type Command, type Prepared, ScriptTranslator } from "./lua-scripts";

export interface RedisBridge {
  /** Base URL to give the SDK as UPSTASH_REDIS_REST_URL. */
  url: string;
  token: string;
  close(): Promise<void>;
}

export interface RedisBridgeOptions {
  /** e.g. redis://127.0.0.1:6379 or redis://127.0.0.1:6379/7 (database 7). */
  redisUrl: string;
  token: string;
  host?: string;
  port?: number;
  /** How long to wait for Redis at start before giving up (it must answer a PING). */
  connectTimeoutMs?: number;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

// Commands that would break the one shared connection for every other caller (a SELECT
// changes its database, a SUBSCRIBE or a blocking pop takes it over), that belong to the
// /multi-exec endpoint, or that reach beyond this bridge's database.
const REFUSED = new Set([
  "SELECT",
  "SWAPDB",
  "MOVE",
  "FLUSHALL",
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SUNSUBSCRIBE",
  "MONITOR",
  "QUIT",
  "RESET",
  "SHUTDOWN",
  "BLPOP",
  "BRPOP",
  "BRPOPLPUSH",
  "BLMOVE",
  "BLMPOP",
  "BZPOPMIN",
  "BZPOPMAX",
  "BZMPOP",
]);

type Reply = Buffer | string | number | null | Reply[];
type Encoded = string | number | null | Encoded[];

class BadRequest extends Error {}

export async function startRedisBridge(opts: RedisBridgeOptions): Promise<RedisBridge> {
  const { redisUrl, token, host = "127.0.0.1", port = 0, connectTimeoutMs = 2000 } = opts;
  if (!token) throw new Error("the Redis bridge needs a token");
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    // Fail a command at once while Redis is unreachable instead of queueing it: the app
    // treats a failing cache as a miss, and a queued command would only be a slow failure.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  redis.on("error", () => {}); // reconnects by itself; each failed command reports its own error
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis is not answering at ${redactRedisUrl(redisUrl)}`, { cause: err });
  }

  const expected = Buffer.from(`Bearer ${token}`);
  const scripts = new ScriptTranslator();
  const server = createServer((req, res) => {
    void handle({ redis, scripts }, expected, req, res).catch((err: unknown) => {
      // Only reached for a broken connection to the client; nothing useful to answer.
      if (!res.headersSent) send(res, 500, { error: `ERR bridge: ${String(err)}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    token,
    close: () => {
      closed ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closed;
    },
  };
}

interface Backend {
  redis: Redis;
  scripts: ScriptTranslator;
}

async function handle(
  backend: Backend,
  expectedAuth: Buffer,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!authorized(req.headers.authorization, expectedAuth)) {
    return send(res, 401, { error: "Unauthorized" });
  }
  if (req.method !== "POST") return send(res, 405, { error: "ERR only POST is supported" });
  const path = new URL(req.url ?? "/", "http://bridge").pathname.replace(/\/+$/, "") || "/";
  if (path !== "/" && path !== "/pipeline" && path !== "/multi-exec") {
    return send(res, 404, { error: `ERR unknown endpoint ${path}` });
  }
  const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
  const encode = (reply: Reply) => encodeReply(reply, base64);

  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (err) {
    if (err instanceof BadRequest) return send(res, 413, { error: `ERR ${err.message}` });
    return send(res, 400, { error: "ERR the body is not JSON" });
  }

  try {
    if (path === "/") {
      const command = toCommand(body);
      try {
        return send(res, 200, { result: encode(await run(backend, command)) });
      } catch (err) {
        return send(res, 400, { error: replyError(err) });
      }
    }
    const commands = toCommands(body);
    if (path === "/pipeline") {
      const results = await Promise.all(
        commands.map((c) =>
          run(backend, c).then(
            (reply) => ({ result: encode(reply) }),
            (err: unknown) => ({ error: replyError(err) }),
          ),
        ),
      );
      return send(res, 200, results);
    }
    const prepared = commands.map((c) => asPrepared(backend.scripts.prepare(c)));
    const multi = backend.redis.multi();
    for (const { command } of prepared) multi.callBuffer(command[0], ...command.slice(1));
    let outcome: [Error | null, unknown][] | null;
    try {
      outcome = await multi.exec();
    } catch (err) {
      return send(res, 400, { error: replyError(err) });
    }
    // null: the transaction was aborted (only WATCH does that, and WATCH is refused).
    if (!outcome) return send(res, 400, { error: "EXECABORT Transaction discarded." });
    return send(
      res,
      200,
      outcome.map(([err, reply], i) => {
        if (err) return { error: replyError(err) };
        const after = prepared[i]?.reply;
        return { result: encode((after ? after(reply) : reply) as Reply) };
      }),
    );
  } catch (err) {
    if (err instanceof BadRequest) return send(res, 400, { error: `ERR ${err.message}` });
    throw err;
  }
}

async function run({ redis, scripts }: Backend, command: Command): Promise<Reply> {
  const {
    command: [name, ...args],
    reply,
  } = asPrepared(scripts.prepare(command));
  const answer = (await redis.callBuffer(name, ...args)) as Reply;
  return reply ? (reply(answer) as Reply) : answer;
}

function asPrepared(p: Command | Prepared): Prepared {
  return Array.isArray(p) ? { command: p } : p;
}

/** A command is a non-empty array of strings, numbers or booleans (sent as their text). */
function toCommand(value: unknown): Command {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequest("a command is a non-empty JSON array");
  }
  const parts = value.map((part) => {
    if (typeof part === "string") return part;
    if (typeof part === "number" || typeof part === "boolean") return String(part);
    throw new BadRequest("command arguments must be strings, numbers or booleans");
  });
  const name = (parts[0] ?? "").toUpperCase();
  if (REFUSED.has(name)) throw new BadRequest(`${name} is not allowed through the bridge`);
  return parts as Command;
}

function toCommands(value: unknown): Command[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequest("a pipeline is a non-empty JSON array of commands");
  }
  return value.map(toCommand);
}

/**
 * Upstash's encoding: with base64 on, every string (bulk or status reply) is the base64 of
 * its bytes, recursively; without it, strings are sent as UTF-8 text (not binary-safe, as
 * with Upstash itself).
 */
function encodeReply(reply: Reply, base64: boolean): Encoded {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((r) => encodeReply(r, base64));
  const bytes = typeof reply === "string" ? Buffer.from(reply, "utf8") : reply;
  return base64 ? bytes.toString("base64") : bytes.toString("utf8");
}

function replyError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return `ERR ${String(err)}`;
}

function authorized(header: string | undefined, expected: Buffer): boolean {
  if (!header) return false;
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`the body is larger than ${MAX_BODY_BYTES}`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** For logs: a Redis URL without its password. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable Redis URL>";
  }
}
