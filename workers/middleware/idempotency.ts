import { and, eq, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono/types";
import { idempotencyKeys } from "../../db/schema";
import type { AppContext, AppEnv } from "../context";
import { AppError } from "../errors";
import { keyedHashHex } from "../lib/digests";
import { readBounded } from "../lib/read-bounded";
import { MAX_JSON_BYTES } from "./json-body";

/** Visible ASCII, as the IETF Idempotency-Key draft suggests; long enough for a UUID and more. */
const KEY = /^[\x21-\x7e]{1,255}$/;
const KEEP_HOURS = 24;
/** The headers a replay repeats; everything else is the server's to set afresh. */
const REPLAYED_HEADERS = ["content-type", "location", "retry-after"];

/**
 * What an unsafe route does with `Idempotency-Key` (docs/decisions/0022). Every unsafe route
 * declares one, as the step right before its handler: so the route's own authentication,
 * role check, validation and body reading all run first, a replay included, and the step
 * guards exactly the handler's effect. The OpenAPI generator refuses a route without one.
 * - "replay": the first answer is kept a day and a repeat gets it again.
 * - "refuse": the answer carries credentials (tokens), which are never stored anywhere but
 *   in the client: a key is refused with 400, so no client believes a retry is safe here.
 */
export type IdempotencyPolicy = "replay" | "refuse";

const policies = new WeakMap<object, IdempotencyPolicy>();

/** The policy of a step made by `idempotent` or `refusesIdempotencyKey`, else undefined. */
export function idempotencyPolicyOf(handler: unknown): IdempotencyPolicy | undefined {
  return typeof handler === "function" ? policies.get(handler) : undefined;
}

/**
 * The first request with a key claims it in Postgres, runs, and its answer is kept for a day;
 * a repeat with the same key and the same request gets that answer again
 * (`Idempotent-Replayed: true`), never a second effect. The same key with a different request
 * is 422 IDEMPOTENCY_KEY_REUSED; a repeat while the first is still running is 409
 * IDEMPOTENCY_KEY_IN_USE. A 5xx is not kept, so the client may retry. Without the header
 * nothing here touches Postgres.
 *
 * Whose key: the signed-in caller's (`user:<id>`, set by the route's auth before this step);
 * without a caller (sign-up), the request's own: `anon:<request hash>`, so only a caller
 * sending the very same bytes (password included) shares it, and no third party can take a
 * key another will use or read the answer kept under it.
 */
export function idempotent(): MiddlewareHandler<AppEnv> {
  const step = createMiddleware<AppEnv>(async (c, next) => {
    const key = keyOf(c);
    if (key === undefined) return next();
    const requestHash = await requestHashOf(c);
    const caller = c.get("caller");
    const principal = caller ? `user:${caller.userId}` : `anon:${requestHash}`;
    const db = await c.var.deps.db.db();

    // Claim the key, or take over one older than a day.
    const claimed = await db.execute(sql`
      INSERT INTO idempotency_keys (principal, key, request_hash)
      VALUES (${principal}, ${key}, ${requestHash})
      ON CONFLICT (principal, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, status = NULL, headers = NULL, body = NULL,
             created_at = now()
       WHERE idempotency_keys.created_at < now() - make_interval(hours => ${KEEP_HOURS})
      RETURNING 1`);
    const where = and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key));
    if (claimed.rows.length === 0) {
      const [kept] = await db.select().from(idempotencyKeys).where(where);
      if (kept && kept.requestHash !== requestHash) {
        throw new AppError(
          "IDEMPOTENCY_KEY_REUSED",
          "This Idempotency-Key was used for a different request.",
        );
      }
      if (!kept || kept.status === null) {
        throw new AppError(
          "IDEMPOTENCY_KEY_IN_USE",
          "A request with this Idempotency-Key is still running; retry shortly.",
          [],
          1,
        );
      }
      const headers = new Headers(kept.headers ?? {});
      headers.set("idempotent-replayed", "true");
      return new Response(kept.body, { status: kept.status, headers });
    }

    await next();
    const res = c.res;
    if (res.status >= 500) {
      await db.delete(idempotencyKeys).where(where);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const body = res.status === 204 ? null : await res.clone().text();
    await db.update(idempotencyKeys).set({ status: res.status, headers, body }).where(where);
  });
  policies.set(step, "replay");
  return step;
}

/**
 * For routes whose answer carries credentials (login, refresh): keeping it would put live
 * tokens in a table for a day, and replaying it would hand them to whoever repeats the
 * request. Such an answer is never kept, so a key cannot mean what it promises: 400.
 */
export function refusesIdempotencyKey(): MiddlewareHandler<AppEnv> {
  const step = createMiddleware<AppEnv>(async (c, next) => {
    if (keyOf(c) === undefined) return next();
    throw new AppError("VALIDATION_FAILED", "This request does not take an Idempotency-Key.", [
      {
        path: "Idempotency-Key",
        message:
          "not accepted here: the answer carries a credential (tokens, a ticket), which is never stored; send the request without it",
      },
    ]);
  });
  policies.set(step, "refuse");
  return step;
}

/** The request's key, checked; undefined without one. */
function keyOf(c: AppContext): string | undefined {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return undefined;
  if (!KEY.test(key)) {
    throw new AppError("VALIDATION_FAILED", "The Idempotency-Key header is invalid.", [
      { path: "Idempotency-Key", message: "must be 1..255 visible ASCII characters" },
    ]);
  }
  return key;
}

/**
 * What a key stands for: method, path and the body's bytes as received (an image is bytes,
 * not text: two uploads differing in bytes that decode to the same text are two requests).
 * Keyed with a secret of the deployment (HMAC), since bodies carry passwords: a bare SHA-256
 * kept a day would let anyone reading the table test guesses against it offline.
 */
async function requestHashOf(c: AppContext): Promise<string> {
  const body = await bodyBytes(c);
  const head = new TextEncoder().encode(`${c.req.method}\n${c.req.path}\n`);
  const message = new Uint8Array(head.length + body.length);
  message.set(head);
  message.set(body, head.length);
  return keyedHashHex(c.var.deps.config.jwtSecret, "try-it idempotency request hash", message);
}

/**
 * The body as the route's own reading left it (json-body.ts for JSON, the upload step for
 * images; both bounded). A body nobody read (one sent with a DELETE /v1/images/:id) is
 * read here, bounded like any JSON body, and kept for whoever reads it next.
 */
async function bodyBytes(c: AppContext): Promise<Uint8Array> {
  if (Object.keys(c.req.bodyCache).length > 0) return new Uint8Array(await c.req.arrayBuffer());
  const bytes = await readBounded(c.req.raw, MAX_JSON_BYTES, () => {
    return new AppError("PAYLOAD_TOO_LARGE", `The body must be at most ${MAX_JSON_BYTES} bytes.`);
  });
  (c.req.bodyCache as Record<string, unknown>).arrayBuffer = Promise.resolve(bytes.buffer);
  return bytes;
}
