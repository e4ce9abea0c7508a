CREATE TABLE "reviews" (
	"id" uuid PRIMARY KEY NOT NULL,
	"trial_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"rating" integer NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reviews_application_id_unique" UNIQUE("application_id"),
	CONSTRAINT "reviews_rating_range" CHECK ("reviews"."rating" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TABLE "stats_checkpoints" (
	"job" text PRIMARY KEY NOT NULL,
	"cursor" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trial_stats" (
	"trial_id" uuid PRIMARY KEY NOT NULL,
	"product_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"slots" integer NOT NULL,
	"applicants" integer NOT NULL,
	"won" integer NOT NULL,
	"waitlisted" integer NOT NULL,
	"cancelled" integer NOT NULL,
	"promoted" integer NOT NULL,
	"rejected" integer NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"filled_at" timestamp with time zone,
	"seconds_to_fill" real,
	"peak_per_second" integer NOT NULL,
	"per_minute" jsonb NOT NULL,
	"reviews_count" integer NOT NULL,
	"reviews_average" real,
	"reviews_min" integer,
	"reviews_max" integer,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_trial_id_trials_id_fk" FOREIGN KEY ("trial_id") REFERENCES "public"."trials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trial_stats" ADD CONSTRAINT "trial_stats_trial_id_trials_id_fk" FOREIGN KEY ("trial_id") REFERENCES "public"."trials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trial_stats" ADD CONSTRAINT "trial_stats_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trial_stats" ADD CONSTRAINT "trial_stats_company_id_users_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reviews_trial_idx" ON "reviews" USING btree ("trial_id","created_at");--> statement-breakpoint
CREATE INDEX "reviews_product_idx" ON "reviews" USING btree ("product_id","created_at");--> statement-breakpoint
CREATE INDEX "reviews_updated_idx" ON "reviews" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "trial_stats_company_idx" ON "trial_stats" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "trial_stats_product_idx" ON "trial_stats" USING btree ("product_id");