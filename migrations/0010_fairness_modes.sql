ALTER TABLE "trials" ADD COLUMN "ordering" text DEFAULT 'strict' NOT NULL;--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "shuffle_seconds" integer;--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "seed_commitment" text;--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_shuffle_seconds" CHECK (("trials"."ordering" = 'shuffle-at-open') = ("trials"."shuffle_seconds" IS NOT NULL));