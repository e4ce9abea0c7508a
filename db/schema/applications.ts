import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { APPLICATION_STATUSES, CANCELLED_REASONS } from "../../core/vocabulary/applications";
import { trials } from "./trials";
import { users } from "./users";

/**
 * Postgres copy of the gate's ledger, written by the decisions consumer. The gate decides;
 * this table converges to it: a row changes only when a message carries a newer version.
 */
export const applications = pgTable(
  "applications",
  {
    id: uuid("id").primaryKey(),
    trialId: uuid("trial_id")
      .notNull()
      .references(() => trials.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    seq: integer("seq").notNull(),
    status: text("status", { enum: APPLICATION_STATUSES }).notNull(),
    position: integer("position"),
    note: text("note"),
    appliedAt: timestamp("applied_at", { withTimezone: true, mode: "date" }).notNull(),
    decidedAt: timestamp("decided_at", { withTimezone: true, mode: "date" }).notNull(),
    version: integer("version").notNull(),
    /** While WON under a confirmation window: the gate releases the place after this. */
    confirmBy: timestamp("confirm_by", { withTimezone: true, mode: "date" }),
    /** When the winner confirmed an address (the address itself: shipping_addresses). */
    confirmedAt: timestamp("confirmed_at", { withTimezone: true, mode: "date" }),
    cancelledReason: text("cancelled_reason", { enum: CANCELLED_REASONS }),
    persistedAt: timestamp("persisted_at", { withTimezone: true, mode: "date" })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    // The invariants of the first-come core, enforced a second time by the database.
    unique("applications_trial_seq_key").on(t.trialId, t.seq),
    unique("applications_trial_user_key").on(t.trialId, t.userId),
    index("applications_user_idx").on(t.userId, t.appliedAt),
    // The incremental statistics job finds recently persisted applications by this.
    index("applications_persisted_idx").on(t.persistedAt),
    check("applications_seq_positive", sql`${t.seq} > 0`),
  ],
);
