import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { APPEAL_STATUSES, PERSONAL_DATA_READS } from "../../core/vocabulary/journey";
import { applications } from "./applications";
import { trials } from "./trials";
import { users } from "./users";

/**
 * The winner's journey after the win (API.md "After the win"). The gate decides who holds a
 * place and whether it was confirmed in time; everything after that is Postgres's.
 */

/**
 * A confirmed winner's address, sealed (AES-GCM, workers/personal-data): `sealed` is
 * base64 of IV ‖ ciphertext of the JSON {recipient, phone, address}, `keyId` names the key
 * (rotation keeps old keys for reading). Deleted 90 days after the trial ends, or at once
 * when the account is deleted.
 */
export const shippingAddresses = pgTable("shipping_addresses", {
  applicationId: uuid("application_id")
    .primaryKey()
    .references(() => applications.id),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id),
  trialId: uuid("trial_id")
    .notNull()
    .references(() => trials.id),
  keyId: text("key_id").notNull(),
  sealed: text("sealed").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** Every read of a member's personal data by a company or an ADMIN; the member sees it. */
export const dataAccessLog = pgTable(
  "data_access_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Whose data was read. */
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    /** Who read it, and the company the trial belongs to. */
    readerId: uuid("reader_id").notNull(),
    companyId: uuid("company_id").notNull(),
    trialId: uuid("trial_id").notNull(),
    what: text("what", { enum: PERSONAL_DATA_READS }).notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("data_access_log_user_idx").on(t.userId, t.at)],
);

/**
 * A confirmed winner's shipment and review deadline: created with the shipment, the
 * deadline runs from it (trials.review_within_days), one extension, then completed (a
 * review in time) or missed (a strike).
 */
export const winnerJourneys = pgTable(
  "winner_journeys",
  {
    applicationId: uuid("application_id")
      .primaryKey()
      .references(() => applications.id),
    trialId: uuid("trial_id")
      .notNull()
      .references(() => trials.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    carrier: text("carrier").notNull(),
    trackingNumber: text("tracking_number").notNull(),
    shippedAt: timestamp("shipped_at", { withTimezone: true, mode: "date" }).notNull(),
    reviewDueAt: timestamp("review_due_at", { withTimezone: true, mode: "date" }).notNull(),
    extendedAt: timestamp("extended_at", { withTimezone: true, mode: "date" }),
    /** A review written by reviewDueAt. */
    completedAt: timestamp("completed_at", { withTimezone: true, mode: "date" }),
    /** The deadline passed without a review: a strike was recorded. */
    missedAt: timestamp("missed_at", { withTimezone: true, mode: "date" }),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    // The reminder and strike jobs scan open journeys by deadline.
    index("winner_journeys_due_idx").on(t.reviewDueAt),
    index("winner_journeys_trial_idx").on(t.trialId),
    // A member's reliability (GET /v1/users/me, a company's applicant list) counts by member.
    index("winner_journeys_user_idx").on(t.userId),
    // The incremental stats job finds trials whose journeys changed since its last run.
    index("winner_journeys_updated_idx").on(t.updatedAt),
    check("winner_journeys_one_ending", sql`${t.completedAt} IS NULL OR ${t.missedAt} IS NULL`),
  ],
);

/** A missed review deadline, and its one appeal. */
export const strikes = pgTable(
  "strikes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    applicationId: uuid("application_id").notNull(),
    trialId: uuid("trial_id").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    appealReason: text("appeal_reason"),
    appealedAt: timestamp("appealed_at", { withTimezone: true, mode: "date" }),
    appealStatus: text("appeal_status", { enum: APPEAL_STATUSES }),
    decidedBy: uuid("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true, mode: "date" }),
    /** Set when an appeal is granted: the strike no longer counts. */
    liftedAt: timestamp("lifted_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    // A duplicated deadline job records one strike per journey, not two.
    unique("strikes_application_key").on(t.applicationId),
    index("strikes_user_idx").on(t.userId, t.at),
  ],
);
