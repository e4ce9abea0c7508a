import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { ROLES } from "../../core/vocabulary/roles";

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey(),
    /** Stored lower-cased: e-mail addresses are compared case-insensitively. */
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    /** The Slack member id result messages go to: set only once the member proved it. */
    slackId: text("slack_id"),
    /**
     * A Slack id being linked (docs/decisions/0026): a one-time code went to it by Slack DM,
     * stored as an HMAC only, valid until slackCodeExpiresAt and for so many wrong tries.
     * Nothing is ever sent to a pending id except its code.
     */
    pendingSlackId: text("pending_slack_id"),
    slackCodeHash: text("slack_code_hash"),
    slackCodeExpiresAt: timestamp("slack_code_expires_at", { withTimezone: true, mode: "date" }),
    slackCodeAttempts: integer("slack_code_attempts").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /**
     * Access tokens issued at or before this instant are refused (logout, password change,
     * deletion): they stay signed and unexpired for up to ACCESS_TOKEN_TTL_SECONDS, so only
     * a check against the account can end them earlier. Milliseconds, like the tokens' iat.
     */
    tokensValidAfter: timestamp("tokens_valid_after", {
      withTimezone: true,
      mode: "date",
      precision: 3,
    }),
    /** Soft delete: the row stays for the history of applications and reviews. */
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    // A deleted account frees its address for a new sign-up.
    uniqueIndex("users_email_live_idx").on(t.email).where(sql`${t.deletedAt} IS NULL`),
    index("users_role_idx").on(t.role, t.createdAt),
  ],
);
