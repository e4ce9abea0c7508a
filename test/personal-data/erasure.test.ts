import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { JOURNEY_RULES } from "../../core/vocabulary/journey";
import { applications, shippingAddresses } from "../../db/schema";
import { eraseExpiredAddresses } from "../../workers/personal-data/erasure";
import { DAILY_STATS_CRON } from "../../workers/scheduled/stats";
import { withDb } from "../support/workerd/db";
import { createUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";
import { fireCron } from "../support/workerd/stats";
import { daysBefore, insertClosedTrial, seedApplication } from "./fixtures";

/**
 * Addresses are kept while a shipment may need them and no longer (docs/decisions/0034):
 * the daily job erases them 90 days after their trial closed, and deleting the account
 * erases the member's at once.
 */

const RETENTION = JOURNEY_RULES.addressRetentionDays;

const addressesOf = (applicationIds: string[]) =>
  withDb((db) =>
    db
      .select({ applicationId: shippingAddresses.applicationId })
      .from(shippingAddresses)
      .where(inArray(shippingAddresses.applicationId, applicationIds)),
  ).then((rows) => rows.map((r) => r.applicationId).sort());

/** A trial closed `days` before `now`, with one confirmed winner; its application id. */
async function winnerOfTrialClosed(now: Date, days: number, hours = 0) {
  const company = await createUser("COMPANY");
  const member = await createUser("MEMBER");
  const closesAt = new Date(daysBefore(now, days).getTime() - hours * 3_600_000);
  const trialId = await insertClosedTrial(company, closesAt);
  return (await seedApplication(trialId, member, 1)).applicationId;
}

describe("the erasure of addresses after their trial", () => {
  it(`erases only addresses of trials that closed more than ${RETENTION} days ago`, async () => {
    const now = new Date();
    const long = await winnerOfTrialClosed(now, RETENTION + 30);
    const justPast = await winnerOfTrialClosed(now, RETENTION, 1);
    const justWithin = await winnerOfTrialClosed(now, RETENTION, -1);
    const recent = await winnerOfTrialClosed(now, 2);
    const erased = await withDb((db) => eraseExpiredAddresses(db, now));
    expect(erased).toBeGreaterThanOrEqual(2);
    expect(await addressesOf([long, justPast, justWithin, recent])).toEqual(
      [justWithin, recent].sort(),
    );
    // Only the address goes: the application and its confirmation stay for the history.
    const kept = await withDb((db) =>
      db.select().from(applications).where(eq(applications.id, long)),
    );
    expect(kept[0]?.confirmedAt).toBeInstanceOf(Date);
  });

  it("runs in the daily job, on the scheduled entry both runtimes share", async () => {
    // The instant test/stats/rebuild.test.ts fires the daily cron at too: the full rebuild
    // this also starts then records the start that test checks, whichever file runs first.
    const midnight = new Date(Date.UTC(2026, 10, 24));
    const past = await winnerOfTrialClosed(midnight, RETENTION + 1);
    const within = await winnerOfTrialClosed(midnight, RETENTION - 1);
    await fireCron(DAILY_STATS_CRON, midnight.getTime());
    expect(await addressesOf([past, within])).toEqual([within]);
  });
});

describe("deleting the account", () => {
  it("erases the member's addresses at once, and no one else's", async () => {
    const company = await createUser("COMPANY");
    const [trialA, trialB] = [await insertClosedTrial(company), await insertClosedTrial(company)];
    const [leaving, staying] = [await createUser("MEMBER"), await createUser("MEMBER")];
    const mine = [
      (await seedApplication(trialA, leaving, 1)).applicationId,
      (await seedApplication(trialB, leaving, 1)).applicationId,
    ];
    const theirs = (await seedApplication(trialA, staying, 2)).applicationId;

    const res = await api("DELETE", "/v1/users/me", { token: leaving.token });
    expect(res.status).toBe(204);
    expect(await addressesOf([...mine, theirs])).toEqual([theirs]);
    // The company's list no longer shows the member; the other winner is still there.
    const list = await api("GET", `/v1/trials/${trialA}/winners`, { token: company.token });
    expect(list.body.items.map((w: { applicationId: string }) => w.applicationId)).toEqual([
      theirs,
    ]);
  });
});
