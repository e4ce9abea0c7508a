CREATE TABLE "data_access_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"reader_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"trial_id" uuid NOT NULL,
	"what" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shipping_addresses" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"trial_id" uuid NOT NULL,
	"key_id" text NOT NULL,
	"sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strikes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"trial_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"appeal_reason" text,
	"appealed_at" timestamp with time zone,
	"appeal_status" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"lifted_at" timestamp with time zone,
	CONSTRAINT "strikes_application_key" UNIQUE("application_id")
);
--> statement-breakpoint
CREATE TABLE "winner_journeys" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"trial_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"carrier" text NOT NULL,
	"tracking_number" text NOT NULL,
	"shipped_at" timestamp with time zone NOT NULL,
	"review_due_at" timestamp with time zone NOT NULL,
	"extended_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"missed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "winner_journeys_one_ending" CHECK ("winner_journeys"."completed_at" IS NULL OR "winner_journeys"."missed_at" IS NULL)
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "confirm_by" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "cancelled_reason" text;--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "confirm_within_minutes" integer;--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "review_within_days" integer DEFAULT 14 NOT NULL;--> statement-breakpoint
ALTER TABLE "data_access_log" ADD CONSTRAINT "data_access_log_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipping_addresses" ADD CONSTRAINT "shipping_addresses_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipping_addresses" ADD CONSTRAINT "shipping_addresses_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipping_addresses" ADD CONSTRAINT "shipping_addresses_trial_id_trials_id_fk" FOREIGN KEY ("trial_id") REFERENCES "public"."trials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strikes" ADD CONSTRAINT "strikes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "winner_journeys" ADD CONSTRAINT "winner_journeys_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "winner_journeys" ADD CONSTRAINT "winner_journeys_trial_id_trials_id_fk" FOREIGN KEY ("trial_id") REFERENCES "public"."trials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "winner_journeys" ADD CONSTRAINT "winner_journeys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "data_access_log_user_idx" ON "data_access_log" USING btree ("user_id","at");--> statement-breakpoint
CREATE INDEX "strikes_user_idx" ON "strikes" USING btree ("user_id","at");--> statement-breakpoint
CREATE INDEX "winner_journeys_due_idx" ON "winner_journeys" USING btree ("review_due_at");--> statement-breakpoint
CREATE INDEX "winner_journeys_trial_idx" ON "winner_journeys" USING btree ("trial_id");--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_confirm_within_minutes" CHECK ("trials"."confirm_within_minutes" IS NULL OR "trials"."confirm_within_minutes" BETWEEN 1 AND 10080);--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_review_within_days" CHECK ("trials"."review_within_days" BETWEEN 1 AND 60);