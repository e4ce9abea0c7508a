import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { products } from "./products";
import { trials } from "./trials";
import { users } from "./users";

/** A winner's review of the product they tried: one per application. */
export const reviews = pgTable(
  "reviews",
  {
    id: uuid("id").primaryKey(),
    trialId: uuid("trial_id")
      .notNull()
      .references(() => trials.id),
    productId: uuid("product_id")
      .notNull()
      .references(() => products.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    /** One review per application, enforced here whatever the code does. */
    applicationId: uuid("application_id").notNull().unique(),
    rating: integer("rating").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("reviews_trial_idx").on(t.trialId, t.createdAt),
    index("reviews_product_idx").on(t.productId, t.createdAt),
    index("reviews_updated_idx").on(t.updatedAt),
    check("reviews_rating_range", sql`${t.rating} BETWEEN 1 AND 5`),
  ],
);
