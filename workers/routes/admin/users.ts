import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { decodeCursor, toPage } from "../../lib/cursor";
import { presentUser } from "../../presenters";
import { listUsers } from "../../services/accounts";
import { validate } from "../../validation";
import { ListUsersQuery, UserCursor } from "./schemas";

/** /v1/admin/users (the ADMIN gate is in ./index.ts). */
export const adminUserRoutes = new Hono<AppEnv>().get(
  "/",
  validate("query", ListUsersQuery),
  async (c) => {
    const query = c.req.valid("query");
    const rows = await listUsers(await c.var.deps.db.db(), {
      role: query.role,
      q: query.q,
      limit: query.limit,
      after: decodeCursor(query.cursor, UserCursor),
    });
    return c.json(
      toPage(
        rows,
        query.limit,
        (r) => presentUser(r.user),
        UserCursor,
        (r) => r.key,
      ),
      200,
    );
  },
);
