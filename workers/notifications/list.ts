import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { notifications } from "../../db/schema";

export interface NotificationSortKey {
  createdMs: number;
  id: string;
}

/** One member's notifications, newest first, keyset-paginated on (created_at, id). */
export async function listNotifications(
  db: Database,
  userId: string,
  query: { limit: number; after: NotificationSortKey | null },
) {
  const createdMs = sql<string>`floor(extract(epoch from ${notifications.createdAt}) * 1000)`;
  const after = query.after
    ? sql`(${createdMs}, ${notifications.id}) < (${query.after.createdMs}, ${query.after.id}::uuid)`
    : undefined;
  const rows = await db
    .select({ row: notifications, createdMs })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), after))
    .orderBy(desc(createdMs), desc(notifications.id))
    .limit(query.limit + 1);
  return rows.map((r) => ({
    notification: r.row,
    key: { createdMs: Number(r.createdMs), id: r.row.id } satisfies NotificationSortKey,
  }));
}

type NotificationRow = typeof notifications.$inferSelect;

/** The API's view of a notification (API.md "Notifications"). */
export function presentNotification(n: NotificationRow) {
  return {
    id: n.id,
    kind: n.kind,
    applicationId: n.applicationId,
    status: n.status,
    attempts: n.attempts,
    sentAt: n.sentAt ? n.sentAt.toISOString() : null,
  };
}
