import { type OperationDoc, ok } from "../operation-doc";
import * as R from "../responses";

/** A member's result messages. Keyed by `METHOD path` as Hono lists the route. */
export const NOTIFICATION_OPERATIONS: Record<string, OperationDoc> = {
  "GET /v1/me/notifications": {
    summary: "The caller's result messages and what became of them",
    tag: "Notifications",
    security: "bearer",
    responses: ok(R.NotificationPage),
    errors: [],
  },
};
