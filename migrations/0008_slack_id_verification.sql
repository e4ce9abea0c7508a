ALTER TABLE "users" ADD COLUMN "pending_slack_id" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "slack_code_hash" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "slack_code_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "slack_code_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Ids set before verification existed were never proven: they stop receiving result
-- messages and wait, as pending, for their member to ask for a code (docs/decisions/0031).
UPDATE "users" SET "pending_slack_id" = "slack_id", "slack_id" = NULL WHERE "slack_id" IS NOT NULL;
