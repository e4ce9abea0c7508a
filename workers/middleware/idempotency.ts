import { and, eq, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { idempotencyKeys } from "../../db/schema";
import { verifyAccessToken } from "../auth/tokens";
import type { AppContext, AppEnv } from "../context";
import { AppError } from "../errors";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Visible ASCII, as the IETF Idempotency-Key draft suggests; long enough for a UUID and more. */
const KEY = /^[\x21-\x7e]{1,255}$/;
const KEEP_HOURS = 24;
/** The headers a replay repeats; everything else is the server's to set afresh. */
const REPLAYED_HEADERS = ["content-type", "location", "retry-after"];

/**
 * `Idempotency-Key` on unsafe requests (API.md conventions): the first request with a key
 * claims it in Postgres, runs, and its answer is kept for a day; a repeat with the same key
 * and the same request gets that answer again (`Idempotent-Replayed: true`), never a second
 * effect. The same key with a different request is 422 IDEMPOTENCY_KEY_REUSED; a repeat
 * while the first is still running is 409 IDEMPOTENCY_KEY_IN_USE. A 5xx is not kept, so the
 * client may retry. Keys belong to the signed-in caller (or to nobody, for sign-up and
 * login, where the body binds them). Without the header nothing here touches Postgres.
 */
export const idempotency = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (key === undefined || !UNSAFE.has(c.req.method)) return next();
    if (!KEY.test(key)) {
      throw new AppError("VALIDATION_FAILED", "The Idempotency-Key header is invalid.", [
        { path: "Idempotency-Key", message: "must be 1..255 visible ASCII characters" },
      ]);
    }
    const principal = await principalOf(c);
    // A bad token: the route answers 401 itself, and nothing is worth keeping.
    if (principal === null) return next();
    const requestHash = await sha256(`${c.req.method}\n${c.req.path}\n${await c.req.text()}`);
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

/** Whose key it is: the verified caller, "anon" without a token, null for a bad token. */
async function principalOf(c: AppContext): Promise<string | null> {
  const header = c.req.header("authorization");
  if (!header) return "anon";
  const token = /^Bearer (\S+)$/.exec(header)?.[1];
  if (!token) return null;
  const result = await verifyAccessToken(token, c.var.deps.config.jwtSecret);
  return result.ok ? `user:${result.claims.userId}` : null;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
