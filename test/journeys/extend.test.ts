import { describe, expect, it } from "vitest";
import { createTrial, createUser, type TestUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { applicationRow, DAY_MS, journeyOf, journeyRow } from "../support/workerd/journeys";
import { expectGuarded } from "../support/workerd/route-guards";

const extend = (trialId: string, user: TestUser | undefined) =>
  api("POST", `/v1/trials/${trialId}/applications/me/extend`, {
    ...(user && { token: user.token }),
  });

async function winnerOf() {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company);
  const member = await createUser("MEMBER");
  const application = await applicationRow(trial.id, member);
  return { company, trial, member, application };
}

describe("POST /v1/trials/:id/applications/me/extend", () => {
  it("moves the review deadline 7 days once; the second time is 409 EXTENSION_USED", async () => {
    const { trial, member, application } = await winnerOf();
    const journey = await journeyRow(application, 5 * DAY_MS);

    const first = await extend(trial.id, member);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(Date.parse(first.body.reviewDueAt) - journey.reviewDueAt.getTime()).toBe(7 * DAY_MS);
    expect(first.body.extendedAt).not.toBeNull();

    const second = await extend(trial.id, member);
    expect([second.status, errorCode(second)]).toEqual([409, "EXTENSION_USED"]);
    expect((await journeyOf(application.id))?.reviewDueAt.toISOString()).toBe(
      first.body.reviewDueAt,
    );
  });

  it("409 NOT_SHIPPED before a shipment, 404 without an application", async () => {
    const { trial, member } = await winnerOf();
    const before = await extend(trial.id, member);
    expect([before.status, errorCode(before)]).toEqual([409, "NOT_SHIPPED"]);

    const stranger = await extend(trial.id, await createUser("MEMBER"));
    expect([stranger.status, errorCode(stranger)]).toEqual([404, "APPLICATION_NOT_FOUND"]);
    const noTrial = await extend(crypto.randomUUID(), member);
    expect([noTrial.status, errorCode(noTrial)]).toEqual([404, "TRIAL_NOT_FOUND"]);
  });

  it("409 JOURNEY_COMPLETE once reviewed, missed, or past the deadline; the deadline stays", async () => {
    for (const [dueIn, extra] of [
      [5 * DAY_MS, { completedAt: new Date() }],
      [-DAY_MS, { missedAt: new Date() }],
      [-60_000, {}],
    ] as const) {
      const { trial, member, application } = await winnerOf();
      const journey = await journeyRow(application, dueIn, extra);
      const res = await extend(trial.id, member);
      expect([res.status, errorCode(res)]).toEqual([409, "JOURNEY_COMPLETE"]);
      expect((await journeyOf(application.id))?.reviewDueAt).toEqual(journey.reviewDueAt);
    }
  });

  it("only the member: a company 403, anonymous 401, another member extends nothing of theirs", async () => {
    const { company, trial, application } = await winnerOf();
    const journey = await journeyRow(application, 5 * DAY_MS);
    const asCompany = await extend(trial.id, company);
    expect([asCompany.status, errorCode(asCompany)]).toEqual([403, "FORBIDDEN"]);
    const anonymous = await extend(trial.id, undefined);
    expect([anonymous.status, errorCode(anonymous)]).toEqual([401, "UNAUTHORIZED"]);
    await expectGuarded("POST", `/v1/trials/${trial.id}/applications/me/extend`, {
      allowed: ["MEMBER"],
    });
    expect(await journeyOf(application.id)).toMatchObject({
      reviewDueAt: journey.reviewDueAt,
      extendedAt: null,
    });
  });
});
