import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Idempotency-Key (API.md conventions): the first response to an unsafe request, kept per
 * caller and key for a day, so a client that retries after a lost answer gets that answer
 * again instead of doing the thing twice. `status` is null while the first is in flight.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    /** "user:<id>" for a signed-in caller; "anon:<request hash>" otherwise: the request's own. */
    principal: text("principal").notNull(),
    key: text("key").notNull(),
    /**
     * HMAC-SHA-256 (a key derived from JWT_SECRET) of method, path and body bytes: the same key
     * with another request is refused, and a body's password cannot be guessed from it.
     */
    requestHash: text("request_hash").notNull(),
    status: integer("status"),
    /** The replayed headers: content type, Location, Retry-After. */
    headers: jsonb("headers").$type<Record<string, string>>(),
    body: text("body"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.principal, t.key] }),
    index("idempotency_keys_created_idx").on(t.createdAt),
  ],
);
