import { env } from "cloudflare:workers";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { applications, reviews, winnerJourneys } from "../../db/schema";
import { durableObjectGates } from "../../workers/adapters/cloudflare/gates";
import * as R from "../../workers/openapi/responses";
import { buildTrialStats } from "../../workers/scheduled/stats/build-trial-stats";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";

/**
 * The journey's figures in a trial's statistics (TrialStats.journey), from rows chosen so
 * every figure is known. The rows are written straight into Postgres, as the decisions
 * consumer and the journey jobs would leave them.
 */

const MIN = 60_000;

interface Winner {
  status: "WON" | "CANCELLED" | "WAITLISTED";
  /** Seconds from the decision to the confirmation; absent: never confirmed. */
  confirmedAfter?: number;
  cancelledReason?: "NOT_CONFIRMED" | "WITHDRAWN";
  /** Minutes from now to confirm_by (negative: passed). */
  confirmByIn?: number;
  journey?: "completed" | "missed" | "open";
  reviewed?: boolean;
}

const WINNERS: Winner[] = [
  // Confirmed, after 60, 180, 300, 600 and 900 seconds.
  { status: "WON", confirmedAfter: 60, journey: "completed", reviewed: true },
  { status: "WON", confirmedAfter: 180, journey: "missed", reviewed: true }, // reviewed late
  { status: "WON", confirmedAfter: 300, journey: "open" },
  { status: "CANCELLED", cancelledReason: "WITHDRAWN", confirmedAfter: 600 }, // left later
  { status: "WON", confirmedAfter: 900, journey: "missed" },
  // Lost the place unconfirmed: at the deadline, and past it with the release still to come.
  { status: "CANCELLED", cancelledReason: "NOT_CONFIRMED" },
  { status: "WON", confirmByIn: -5 },
  // Not settled, or not a winner: left out.
  { status: "WON", confirmByIn: 30 },
  { status: "CANCELLED", cancelledReason: "WITHDRAWN" },
  { status: "WAITLISTED" },
];

async function seed(trial: { id: string; productId: string }) {
  const members = await createUsers("MEMBER", WINNERS.length);
  const now = Date.now();
  const decidedAt = new Date(now - 60 * MIN);
  await withDb(async (db) => {
    for (const [i, w] of WINNERS.entries()) {
      const member = members[i];
      if (!member) throw new Error("member missing");
      const applicationId = crypto.randomUUID();
      await db.insert(applications).values({
        id: applicationId,
        trialId: trial.id,
        userId: member.id,
        seq: i + 1,
        status: w.status,
        position: w.status === "WAITLISTED" ? 1 : null,
        appliedAt: decidedAt,
        decidedAt,
        version: 1,
        confirmedAt:
          w.confirmedAfter === undefined
            ? null
            : new Date(decidedAt.getTime() + w.confirmedAfter * 1000),
        confirmBy: w.confirmByIn === undefined ? null : new Date(now + w.confirmByIn * MIN),
        cancelledReason: w.cancelledReason ?? null,
      });
      if (w.journey) {
        await db.insert(winnerJourneys).values({
          applicationId,
          trialId: trial.id,
          userId: member.id,
          carrier: "Post",
          trackingNumber: `T-${i}`,
          shippedAt: new Date(now - 30 * MIN),
          reviewDueAt: new Date(now - 10 * MIN),
          completedAt: w.journey === "completed" ? new Date(now - 20 * MIN) : null,
          missedAt: w.journey === "missed" ? new Date(now - 10 * MIN) : null,
        });
      }
      if (w.reviewed) {
        await db.insert(reviews).values({
          id: crypto.randomUUID(),
          trialId: trial.id,
          productId: trial.productId,
          userId: member.id,
          applicationId,
          rating: 4,
          title: "Tried it",
          body: "Written for the journey statistics",
        });
      }
    }
  });
}

describe("TrialStats.journey", () => {
  it("gives the confirmation rate, the median time to confirm, the review completion and on-time rates", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 10 });
    const quiet = await createTrial(company, { slots: 10 });
    await seed(trial);

    const built = await withDb((db) =>
      buildTrialStats(db, durableObjectGates(env.TRIAL_GATE), [trial.id, quiet.id], new Date()),
    );
    expect(built.built.sort()).toEqual([trial.id, quiet.id].sort());

    const res = await api("GET", `/v1/stats/trials/${trial.id}`, { token: company.token });
    expect(res.status).toBe(200);
    v.parse(R.TrialStats, res.body);
    expect(res.body.journey).toEqual({
      // 5 confirmed ÷ (5 + 2 lost unconfirmed); the three others are not settled or not won.
      confirmationRate: 0.7143,
      // The median of 60, 180, 300, 600 and 900 seconds.
      medianSecondsToConfirm: 300,
      // 3 settled journeys (1 completed, 2 missed), 2 of them reviewed (one late).
      reviewCompletionRate: 0.6667,
      onTimeRate: 0.3333,
    });

    // No winner, no journey: every figure null, not 0.
    const empty = await api("GET", `/v1/stats/trials/${quiet.id}`, { token: company.token });
    expect(empty.body.journey).toEqual({
      confirmationRate: null,
      medianSecondsToConfirm: null,
      reviewCompletionRate: null,
      onTimeRate: null,
    });
  });
});
