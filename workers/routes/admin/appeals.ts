import { Hono } from "hono";
import * as v from "valibot";
import { describeError, log } from "../../../core/log";
import { APPEAL_DECISIONS, APPEAL_STATUSES } from "../../../core/vocabulary/journey";
import type { AppEnv } from "../../context";
import { cursorField, decodeCursor, defineCursor, toPage } from "../../lib/cursor";
import { idempotent } from "../../middleware/idempotency";
import { decideAppeal, listAppeals } from "../../strikes/appeals";
import { presentStrike } from "../../strikes/present";
import { restrictionChanged } from "../../strikes/restriction-change";
import { IdParam, Limit, oneOf, validate } from "../../validation";

const ListAppealsQuery = v.object({
  status: v.optional(oneOf(APPEAL_STATUSES)),
  limit: Limit,
  cursor: v.optional(v.string()),
});

/** The appeals list's cursor: the last appeal's instant in epoch milliseconds, and its id. */
const AppealCursor = defineCursor({ ms: cursorField.instant, id: cursorField.id });

const DecideAppealBody = v.object({
  decision: oneOf(APPEAL_DECISIONS),
});

/** /v1/admin/appeals (the ADMIN gate is in ./index.ts): appeals of strikes, and their decision. */
export const adminAppealRoutes = new Hono<AppEnv>()
  .get("/", validate("query", ListAppealsQuery), async (c) => {
    const query = c.req.valid("query");
    const rows = await listAppeals(await c.var.deps.db.db(), {
      status: query.status,
      limit: query.limit,
      after: decodeCursor(query.cursor, AppealCursor),
    });
    return c.json(
      toPage(
        rows,
        query.limit,
        (r) => presentStrike(r.strike),
        AppealCursor,
        (r) => r.key,
      ),
      200,
    );
  })
  .post(
    "/:id",
    validate("param", IdParam),
    validate("json", DecideAppealBody),
    idempotent(),
    async (c) => {
      const { db, revocations, cache, waitUntil } = c.var.deps;
      const conn = await db.db();
      const decided = await decideAppeal(
        conn,
        c.var.caller.userId,
        c.req.valid("param").id,
        c.req.valid("json").decision,
      );
      // A granted appeal that ends the member's restriction ends their access tokens too:
      // the next refresh brings one without it (docs/decisions/0036). The decision has
      // committed either way: if the revocation list is out of reach the answer is still the
      // decision, and the member's tokens lose the restriction at their next refresh.
      if (decided.restrictionChanged) {
        const userId = decided.strike.userId;
        await restrictionChanged(
          { db: conn, revokeUntilNow: (id) => revocations.revokeUntilNow(id), cache, waitUntil },
          userId,
        ).catch((err: unknown) =>
          log.warn("strikes.restriction_not_propagated", { userId, error: describeError(err) }),
        );
      }
      return c.json(presentStrike(decided.strike), 200);
    },
  );
