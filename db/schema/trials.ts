import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { CLOSED_REASONS, ORDERINGS, TRIAL_STATUSES } from "../../core/vocabulary/trials";
import { products } from "./products";
import { users } from "./users";

/**
 * The catalog copy of a trial. Its live state (counts, FULL) belongs to the trial's
 * gate; `status` here is written by the status-sync cron so lists can filter by it.
 */
export const trials = pgTable(
  "trials",
  {
    id: uuid("id").primaryKey(),
    productId: uuid("product_id")
      .notNull()
      .references(() => products.id),
    companyId: uuid("company_id")
      .notNull()
      .references(() => users.id),
    title: text("title").notNull(),
    description: text("description").notNull(),
    slots: integer("slots").notNull(),
    waitlistSize: integer("waitlist_size").notNull(),
    opensAt: timestamp("opens_at", { withTimezone: true, mode: "date" }).notNull(),
    closesAt: timestamp("closes_at", { withTimezone: true, mode: "date" }).notNull(),
    status: text("status", { enum: TRIAL_STATUSES }).notNull(),
    closedReason: text("closed_reason", { enum: CLOSED_REASONS }),
    /** How places are given (API.md): strict first-come, or drawn (the gate draws). */
    ordering: text("ordering", { enum: ORDERINGS }).notNull().default("strict"),
    /** The draw window after opensAt; set exactly with ordering shuffle-at-open. */
    shuffleSeconds: integer("shuffle_seconds"),
    /** The gate's commitment to its secret seed (null for strict); the seed is the gate's. */
    seedCommitment: text("seed_commitment"),
    /** Minutes a winner has to confirm an address (null: no deadline; API.md "After the win"). */
    confirmWithinMinutes: integer("confirm_within_minutes"),
    /** Days a winner has to review, counted from the shipment. */
    reviewWithinDays: integer("review_within_days").notNull().default(14),
    /** The gate's announcement counter: an older status event never overwrites a newer one. */
    statusVersion: integer("status_version").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("trials_product_idx").on(t.productId),
    index("trials_company_idx").on(t.companyId, t.createdAt),
    index("trials_status_idx").on(t.status, t.opensAt),
    check("trials_slots_positive", sql`${t.slots} > 0`),
    check("trials_waitlist_non_negative", sql`${t.waitlistSize} >= 0`),
    check("trials_schedule_order", sql`${t.opensAt} < ${t.closesAt}`),
    check(
      "trials_confirm_within_minutes",
      sql`${t.confirmWithinMinutes} IS NULL OR ${t.confirmWithinMinutes} BETWEEN 1 AND 10080`,
    ),
    check("trials_review_within_days", sql`${t.reviewWithinDays} BETWEEN 1 AND 60`),
    check(
      "trials_shuffle_seconds",
      sql`(${t.ordering} = 'shuffle-at-open') = (${t.shuffleSeconds} IS NOT NULL)`,
    ),
  ],
);
