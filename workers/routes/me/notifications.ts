import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { decodeCursor, toPage } from "../../lib/cursor";
import { listNotifications, presentNotification } from "../../notifications/list";
import { validate } from "../../validation";
import { ListNotificationsQuery, NotificationCursor } from "./schemas";

/** /v1/me/notifications: the caller's own result messages and what became of them. */
export const myNotificationRoutes = new Hono<AppEnv>().get(
  "/",
  validate("query", ListNotificationsQuery),
  async (c) => {
    const query = c.req.valid("query");
    const rows = await listNotifications(await c.var.deps.db.db(), c.var.caller.userId, {
      limit: query.limit,
      after: decodeCursor(query.cursor, NotificationCursor),
    });
    return c.json(
      toPage(
        rows,
        query.limit,
        (r) => presentNotification(r.notification),
        NotificationCursor,
        (r) => r.key,
      ),
      200,
    );
  },
);
