import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { applications, winnerJourneys } from "../../db/schema";
import { waitFor, withDb } from "../support/workerd/db";
import { createTrial, createUser, type TestUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";
import { DAY_MS, journeyOf } from "../support/workerd/journeys";
import { apply, postReview } from "../support/workerd/reviews";

/** A member who won through the gate, confirmed (as the lead's consumer writes it), shipped to. */
async function shippedThroughTheGate() {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company);
  const member = await createUser("MEMBER");
  const won = await apply(trial.id, member);
  expect(won.status).toBe("WON");
  // The decisions consumer writes the row; the confirmation's timestamp is set as its would be.
  await waitFor(
    async () => {
      const [row] = await withDb((db) =>
        db
          .update(applications)
          .set({ confirmedAt: new Date() })
          .where(eq(applications.id, won.id))
          .returning(),
      );
      return row;
    },
    { what: "the application in Postgres" },
  );
  const shipped = await api("PUT", `/v1/trials/${trial.id}/applications/${won.id}/shipment`, {
    token: company.token,
    body: { carrier: "DHL", trackingNumber: "JJD-1" },
  });
  expect(shipped.status).toBe(200);
  return { trial, member, applicationId: won.id as string, shipped: shipped.body };
}

const myApplication = (trialId: string, member: TestUser) =>
  api("GET", `/v1/trials/${trialId}/applications/me`, { token: member.token });

describe("a review completes the journey", () => {
  it("a review written by the deadline sets completedAt; the member's application shows the parcel", async () => {
    const { trial, member, applicationId, shipped } = await shippedThroughTheGate();
    const mine = await myApplication(trial.id, member);
    expect(mine.body).toMatchObject({
      id: applicationId,
      shipment: { carrier: "DHL", trackingNumber: "JJD-1", shippedAt: shipped.shippedAt },
      reviewDueAt: shipped.reviewDueAt,
    });

    const review = await postReview(trial.id, member);
    expect(review.status).toBe(201);
    const journey = await journeyOf(applicationId);
    expect(journey?.completedAt?.toISOString()).toBe(review.body.createdAt);
    expect(journey?.missedAt).toBeNull();
  });

  it("a review after the deadline completes nothing", async () => {
    const { trial, member, applicationId } = await shippedThroughTheGate();
    await withDb((db) =>
      db
        .update(winnerJourneys)
        .set({ reviewDueAt: new Date(Date.now() - DAY_MS) })
        .where(eq(winnerJourneys.applicationId, applicationId)),
    );
    expect((await postReview(trial.id, member)).status).toBe(201);
    expect((await journeyOf(applicationId))?.completedAt).toBeNull();
  });
});
