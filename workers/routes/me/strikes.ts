import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../context";
import { cursorField, decodeCursor, defineCursor, toPage } from "../../lib/cursor";
import { requireRole } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { appealStrike, listMemberStrikes } from "../../strikes/appeals";
import { presentStrike } from "../../strikes/present";
import { IdParam, Limit, validate } from "../../validation";

const ListStrikesQuery = v.object({
  limit: Limit,
  cursor: v.optional(v.string()),
});

/** The strikes list's cursor: the last strike's instant in epoch milliseconds, and its id. */
const StrikeCursor = defineCursor({ ms: cursorField.instant, id: cursorField.id });

const AppealBody = v.object({
  reason: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, "must not be empty"),
    v.maxLength(1000, "must be at most 1000 characters"),
  ),
});

/**
 * /v1/me/strikes: a member's strikes (a missed review deadline each) and their one appeal
 * each (API.md "After the win"). requireAuth sits on /v1/me; only members have strikes.
 */
export const myStrikeRoutes = new Hono<AppEnv>()
  .get("/", requireRole("MEMBER"), validate("query", ListStrikesQuery), async (c) => {
    const query = c.req.valid("query");
    const rows = await listMemberStrikes(await c.var.deps.db.db(), c.var.caller.userId, {
      limit: query.limit,
      after: decodeCursor(query.cursor, StrikeCursor),
    });
    return c.json(
      toPage(
        rows,
        query.limit,
        (r) => presentStrike(r.strike),
        StrikeCursor,
        (r) => r.key,
      ),
      200,
    );
  })
  .post(
    "/:id/appeal",
    requireRole("MEMBER"),
    validate("param", IdParam),
    validate("json", AppealBody),
    idempotent(),
    async (c) => {
      const strike = await appealStrike(
        await c.var.deps.db.db(),
        c.var.caller.userId,
        c.req.valid("param").id,
        c.req.valid("json").reason,
      );
      return c.json(presentStrike(strike), 201);
    },
  );
