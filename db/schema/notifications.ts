import { index, integer, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import {
  NOTIFICATION_KINDS,
  NOTIFICATION_STATUSES,
  NOTIFIER_CHANNELS,
} from "../../core/vocabulary/notifications";
import { users } from "./users";

/**
 * One message per (application, kind): the result messages (an outcome) and the winner's
 * journey's (shipped, reminders, a strike), and what became of it. The row exists
 * before the message is sent, so a redelivered event finds it and never sends twice.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    // No foreign key: the queue may deliver the application's own row after this one.
    applicationId: uuid("application_id").notNull(),
    trialId: uuid("trial_id").notNull(),
    // A text column: widening the list needs no migration.
    kind: text("kind", { enum: NOTIFICATION_KINDS }).notNull(),
    status: text("status", { enum: NOTIFICATION_STATUSES }).notNull().default("PENDING"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** How it was (or would have been) sent: "dm", "webhook", or null when skipped. */
    channel: text("channel", { enum: NOTIFIER_CHANNELS }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    unique("notifications_application_kind_key").on(t.applicationId, t.kind),
    index("notifications_user_idx").on(t.userId, t.createdAt),
  ],
);
