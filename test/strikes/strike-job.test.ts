import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { applications, strikes, winnerJourneys } from "../../db/schema";
import { MAX_STALENESS_MS } from "../../workers/auth/revocations";
import { STATUS_SYNC_CRON } from "../../workers/scheduled";
import { claimsOf, logIn, refresh, signUp } from "../support/workerd/accounts";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { fireCron } from "../support/workerd/stats";
import { DAY_MS, recordStrike } from "../support/workerd/strikes";

/**
 * The review deadline's job, through the Worker's real scheduled entry: a missed deadline
 * that makes the member's second strike ends their access tokens (docs/decisions/0036), so
 * the restriction reaches the apply route within the revocation list's second, not after
 * the token's 15 minutes.
 */

/** A confirmed winner's journey whose review deadline passed a minute ago. */
async function overdueJourney(userId: string) {
  const trial = await createTrial(await createUser("COMPANY"), { slots: 3 });
  const applicationId = crypto.randomUUID();
  const now = Date.now();
  await withDb(async (db) => {
    await db.insert(applications).values({
      id: applicationId,
      trialId: trial.id,
      userId,
      seq: 1,
      status: "WON",
      appliedAt: new Date(now - 20 * DAY_MS),
      decidedAt: new Date(now - 20 * DAY_MS),
      version: 1,
      confirmedAt: new Date(now - 19 * DAY_MS),
    });
    await db.insert(winnerJourneys).values({
      applicationId,
      trialId: trial.id,
      userId,
      carrier: "Post",
      trackingNumber: "T-1",
      shippedAt: new Date(now - 15 * DAY_MS),
      reviewDueAt: new Date(now - 60_000),
    });
  });
  return applicationId;
}

describe("the strike job ends a newly restricted member's tokens", () => {
  it("a second missed deadline: the old token is revoked, the refreshed one carries the restriction", async () => {
    const trial = await createTrial(await createUser("COMPANY"), { slots: 5 });
    const account = await signUp();
    await recordStrike(account.id, 40);
    const session = await logIn(account);
    expect(claimsOf(session.accessToken)).not.toHaveProperty("restrictedUntil");
    const applicationId = await overdueJourney(account.id);

    await fireCron(STATUS_SYNC_CRON, Date.now());
    const [strike] = await withDb((db) =>
      db.select().from(strikes).where(eq(strikes.applicationId, applicationId)),
    );
    if (!strike) throw new Error("the job recorded no strike");

    await new Promise((r) => setTimeout(r, MAX_STALENESS_MS + 100));
    const old = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: session.accessToken,
      body: {},
    });
    expect([old.status, errorCode(old)]).toEqual([401, "TOKEN_EXPIRED"]);
    const refreshed = await refresh(session.refreshToken);
    expect(claimsOf(refreshed.body.accessToken).restrictedUntil).toBe(
      Math.ceil((strike.at.getTime() + 30 * DAY_MS) / 1000),
    );
    const refused = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: refreshed.body.accessToken,
      body: {},
    });
    expect([refused.status, errorCode(refused)]).toEqual([403, "MEMBER_RESTRICTED"]);
  });

  it("a first missed deadline records a strike and leaves the member's token working", async () => {
    const trial = await createTrial(await createUser("COMPANY"), { slots: 5 });
    const account = await signUp();
    const session = await logIn(account);
    const applicationId = await overdueJourney(account.id);
    await fireCron(STATUS_SYNC_CRON, Date.now());
    const found = await withDb((db) =>
      db.select().from(strikes).where(eq(strikes.applicationId, applicationId)),
    );
    expect(found).toHaveLength(1);
    await new Promise((r) => setTimeout(r, MAX_STALENESS_MS + 100));
    const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: session.accessToken,
      body: {},
    });
    expect(res.status).toBe(201);
  });
});
