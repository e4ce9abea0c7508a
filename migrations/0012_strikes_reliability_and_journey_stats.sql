ALTER TABLE "trial_stats" ADD COLUMN "confirmation_rate" real;--> statement-breakpoint
ALTER TABLE "trial_stats" ADD COLUMN "median_seconds_to_confirm" real;--> statement-breakpoint
ALTER TABLE "trial_stats" ADD COLUMN "review_completion_rate" real;--> statement-breakpoint
ALTER TABLE "trial_stats" ADD COLUMN "on_time_rate" real;--> statement-breakpoint
CREATE INDEX "winner_journeys_user_idx" ON "winner_journeys" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "winner_journeys_updated_idx" ON "winner_journeys" USING btree ("updated_at");