import { describe, expect, it } from "vitest";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { applicationRow, DAY_MS, journeyOf, notificationsOf } from "../support/workerd/journeys";
import { expectGuarded } from "../support/workerd/route-guards";

const ship = (trialId: string, applicationId: string, token: string | undefined, body: unknown) =>
  api("PUT", `/v1/trials/${trialId}/applications/${applicationId}/shipment`, {
    ...(token !== undefined && { token }),
    body,
  });

const parcel = { carrier: "DHL Express", trackingNumber: "JJD-0001-ABC" };

describe("PUT /v1/trials/:id/applications/:applicationId/shipment", () => {
  it("ships to a confirmed winner: the deadline runs from shippedAt, one SHIPPED message is recorded", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const winner = await applicationRow(trial.id, await createUser("MEMBER"));

    const res = await ship(trial.id, winner.id, company.token, parcel);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      applicationId: winner.id,
      carrier: "DHL Express",
      trackingNumber: "JJD-0001-ABC",
      extendedAt: null,
      completedAt: null,
      missedAt: null,
    });
    // The trial's default review window: 14 days from the shipment.
    const shippedAt = Date.parse(res.body.shippedAt);
    expect(Math.abs(shippedAt - Date.now())).toBeLessThan(60_000);
    expect(Date.parse(res.body.reviewDueAt) - shippedAt).toBe(14 * DAY_MS);
    const stored = await journeyOf(winner.id);
    expect(stored?.reviewDueAt.toISOString()).toBe(res.body.reviewDueAt);
    const told = await notificationsOf([winner.id]);
    expect(told.map((n) => [n.kind, n.status])).toEqual([["SHIPPED", "PENDING"]]);
  });

  it("a correction changes carrier and tracking number only: same deadline, no second message", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const winner = await applicationRow(trial.id, await createUser("MEMBER"));
    const first = await ship(trial.id, winner.id, company.token, parcel);
    expect(first.status).toBe(200);

    const fixed = await ship(trial.id, winner.id, company.token, {
      carrier: "UPS",
      trackingNumber: "1Z999AA10123456784",
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({
      carrier: "UPS",
      trackingNumber: "1Z999AA10123456784",
      shippedAt: first.body.shippedAt,
      reviewDueAt: first.body.reviewDueAt,
    });
    expect(await notificationsOf([winner.id])).toHaveLength(1);
  });

  it("refuses a winner who has not confirmed, and a member who did not win, with 409 NOT_CONFIRMED: nothing written", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const unconfirmed = await applicationRow(trial.id, await createUser("MEMBER"), {
      confirmed: false,
    });
    const waiting = await applicationRow(trial.id, await createUser("MEMBER"), {
      status: "WAITLISTED",
      confirmed: false,
    });
    const cancelled = await applicationRow(trial.id, await createUser("MEMBER"), {
      status: "CANCELLED",
    });
    for (const application of [unconfirmed, waiting, cancelled]) {
      const res = await ship(trial.id, application.id, company.token, parcel);
      expect([res.status, errorCode(res)]).toEqual([409, "NOT_CONFIRMED"]);
      expect(await journeyOf(application.id)).toBeNull();
    }
    expect(await notificationsOf([unconfirmed.id, waiting.id, cancelled.id])).toEqual([]);
  });

  it("404 for an unknown trial, an unknown application, and another trial's application", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const other = await createTrial(company);
    const elsewhere = await applicationRow(other.id, await createUser("MEMBER"));

    const noTrial = await ship(crypto.randomUUID(), elsewhere.id, company.token, parcel);
    expect([noTrial.status, errorCode(noTrial)]).toEqual([404, "TRIAL_NOT_FOUND"]);
    const noApplication = await ship(trial.id, crypto.randomUUID(), company.token, parcel);
    expect([noApplication.status, errorCode(noApplication)]).toEqual([
      404,
      "APPLICATION_NOT_FOUND",
    ]);
    const wrongTrial = await ship(trial.id, elsewhere.id, company.token, parcel);
    expect([wrongTrial.status, errorCode(wrongTrial)]).toEqual([404, "APPLICATION_NOT_FOUND"]);
    expect(await journeyOf(elsewhere.id)).toBeNull();
  });

  it("checks the fields: a tracking number holds letters, digits and '-' only", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const winner = await applicationRow(trial.id, await createUser("MEMBER"));
    for (const body of [
      { carrier: "DHL", trackingNumber: "JJD 0001" },
      { carrier: "DHL", trackingNumber: "JJD/0001" },
      { carrier: "", trackingNumber: "JJD0001" },
      { carrier: "x".repeat(51), trackingNumber: "JJD0001" },
      { carrier: "DHL", trackingNumber: "9".repeat(65) },
      { carrier: "DHL" },
    ]) {
      const res = await ship(trial.id, winner.id, company.token, body);
      expect([res.status, errorCode(res)], JSON.stringify(body)).toEqual([
        400,
        "VALIDATION_FAILED",
      ]);
    }
    expect(await journeyOf(winner.id)).toBeNull();
  });

  it("only the trial's company or an ADMIN: another company 403, a member 403, anonymous 401", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const winner = await applicationRow(trial.id, await createUser("MEMBER"));
    const stranger = await createUser("COMPANY");
    const res = await ship(trial.id, winner.id, stranger.token, parcel);
    expect([res.status, errorCode(res)]).toEqual([403, "NOT_THE_OWNER"]);
    const member = await ship(trial.id, winner.id, (await createUser("MEMBER")).token, parcel);
    expect([member.status, errorCode(member)]).toEqual([403, "FORBIDDEN"]);
    const anonymous = await ship(trial.id, winner.id, undefined, parcel);
    expect([anonymous.status, errorCode(anonymous)]).toEqual([401, "UNAUTHORIZED"]);
    expect(await journeyOf(winner.id)).toBeNull();

    // Every role and token, the shared way (an ADMIN ships: allowed).
    const path = `/v1/trials/${trial.id}/applications/${winner.id}/shipment`;
    await expectGuarded("PUT", path, { allowed: ["COMPANY", "ADMIN"], body: parcel });
    expect(await journeyOf(winner.id)).toMatchObject({ carrier: parcel.carrier });
  });

  it("the applications show the shipment and the review deadline to the company and the member", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    const winner = await applicationRow(trial.id, member);
    const unshipped = await applicationRow(trial.id, await createUser("MEMBER"));
    const shipped = await ship(trial.id, winner.id, company.token, parcel);

    const list = await api("GET", `/v1/trials/${trial.id}/applications`, { token: company.token });
    expect(list.status).toBe(200);
    const byId = new Map(list.body.items.map((a: { id: string }) => [a.id, a]));
    expect(byId.get(winner.id)).toMatchObject({
      shipment: { ...parcel, shippedAt: shipped.body.shippedAt },
      reviewDueAt: shipped.body.reviewDueAt,
    });
    expect(byId.get(unshipped.id)).toMatchObject({ shipment: null, reviewDueAt: null });

    const mine = await api("GET", "/v1/me/applications", { token: member.token });
    expect(mine.body.items).toEqual([
      expect.objectContaining({
        id: winner.id,
        shipment: { ...parcel, shippedAt: shipped.body.shippedAt },
        reviewDueAt: shipped.body.reviewDueAt,
      }),
    ]);
  });
});
