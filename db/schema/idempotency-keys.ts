import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Idempotency-Key (API.md conventions): the first response to an unsafe request, kept per
 * caller and key for a day, so a client that retries after a lost answer gets that answer
 * again instead of doing the thing twice. `status` is null while the first is in flight.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    /** "user:<id>" for a signed-in caller, "anon" otherwise (the request hash then binds it). */
    principal: text("principal").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of method, path and body: the same key with another request is refused. */
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
