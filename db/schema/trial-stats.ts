import { index, integer, jsonb, pgTable, real, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { products } from "./products";
import { trials } from "./trials";
import { users } from "./users";

/** Statistics of one trial, rebuilt by the stats cron (never computed on a request). */
export const trialStats = pgTable(
  "trial_stats",
  {
    trialId: uuid("trial_id")
      .primaryKey()
      .references(() => trials.id),
    productId: uuid("product_id")
      .notNull()
      .references(() => products.id),
    companyId: uuid("company_id")
      .notNull()
      .references(() => users.id),
    slots: integer("slots").notNull(),
    applicants: integer("applicants").notNull(),
    won: integer("won").notNull(),
    waitlisted: integer("waitlisted").notNull(),
    cancelled: integer("cancelled").notNull(),
    promoted: integer("promoted").notNull(),
    rejected: integer("rejected").notNull(),
    openedAt: timestamp("opened_at", { withTimezone: true, mode: "date" }).notNull(),
    filledAt: timestamp("filled_at", { withTimezone: true, mode: "date" }),
    secondsToFill: real("seconds_to_fill"),
    peakPerSecond: integer("peak_per_second").notNull(),
    /** [{minute: ISO string, count}] in minute order. */
    perMinute: jsonb("per_minute").$type<{ minute: string; count: number }[]>().notNull(),
    reviewsCount: integer("reviews_count").notNull(),
    reviewsAverage: real("reviews_average"),
    reviewsMin: integer("reviews_min"),
    reviewsMax: integer("reviews_max"),
    /** After the win (docs/decisions/0036): each null while its denominator is 0. */
    confirmationRate: real("confirmation_rate"),
    medianSecondsToConfirm: real("median_seconds_to_confirm"),
    reviewCompletionRate: real("review_completion_rate"),
    onTimeRate: real("on_time_rate"),
    computedAt: timestamp("computed_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    index("trial_stats_company_idx").on(t.companyId),
    index("trial_stats_product_idx").on(t.productId),
  ],
);

/** Where a batched stats job resumes on its next tick (e.g. the last trial id it finished). */
export const statsCheckpoints = pgTable("stats_checkpoints", {
  job: text("job").primaryKey(),
  cursor: jsonb("cursor").$type<Record<string, unknown>>().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
