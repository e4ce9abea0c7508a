import { describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createTrial, createUser, createUsers, waitFor } from "../support/contract/fixtures";

/**
 * The winner's whole journey over HTTP, on both runtimes, through the real gate and pipeline:
 * win, confirm (the address sealed into the gate's event), the company reads the address (and
 * the member sees that read), ships, the member sees the parcel and the deadline, extends it
 * once, reviews in time. Each part has its own tests; this one shows they meet.
 */

const ADDRESS = {
  recipient: "Park Ji-ho",
  phone: "010-2345-6789",
  address: "7 Teheran-ro, Gangnam-gu, Seoul",
};

describe("after the win, end to end", () => {
  it("confirm, the company's logged read, shipment, deadline, extension, review", async () => {
    const company = await createUser("COMPANY");
    const other = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, reviewWithinDays: 10 });
    const [winner] = await createUsers("MEMBER", 1);
    if (!winner) throw new Error("a member expected");
    const won = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: winner.token,
      body: {},
    });
    expect(won.body.status).toBe("WON");
    const applicationId = won.body.id as string;

    // Once the decision reached Postgres (the company's list), and before the winner
    // confirmed, the company may not ship.
    await waitFor(
      async () => {
        const res = await api("GET", `/v1/trials/${trial.id}/applications`, {
          token: company.token,
        });
        return res.body.items?.length === 1 ? true : undefined;
      },
      { what: "the decision in the company's application list" },
    );
    const early = await api(
      "PUT",
      `/v1/trials/${trial.id}/applications/${applicationId}/shipment`,
      {
        token: company.token,
        body: { carrier: "CJ Logistics", trackingNumber: "CJ-1000" },
      },
    );
    expect(errorCode(early)).toBe("NOT_CONFIRMED");

    const confirmed = await api("POST", `/v1/trials/${trial.id}/applications/me/confirm`, {
      token: winner.token,
      body: ADDRESS,
    });
    expect(confirmed.status).toBe(200);

    // The winners list shows the address once the confirmation reached Postgres.
    const winners = await waitFor(
      async () => {
        const res = await api("GET", `/v1/trials/${trial.id}/winners`, { token: company.token });
        return res.body.items?.length === 1 ? res.body : undefined;
      },
      { what: "the confirmed winner in the company's list" },
    );
    expect(winners.items[0]).toMatchObject({ applicationId, ...ADDRESS });
    expect(
      (await api("GET", `/v1/trials/${trial.id}/winners`, { token: other.token })).status,
    ).toBe(403);
    const access = await api("GET", "/v1/users/me/data-access", { token: winner.token });
    expect(access.body.items).toEqual([
      expect.objectContaining({ companyId: company.id, trialId: trial.id }),
    ]);

    const shipped = await api(
      "PUT",
      `/v1/trials/${trial.id}/applications/${applicationId}/shipment`,
      {
        token: company.token,
        body: { carrier: "CJ Logistics", trackingNumber: "CJ-1000" },
      },
    );
    expect(shipped.status).toBe(200);
    const due = Date.parse(shipped.body.reviewDueAt);
    expect(due - Date.parse(shipped.body.shippedAt)).toBe(10 * 86_400_000);

    const mine = await api("GET", `/v1/trials/${trial.id}/applications/me`, {
      token: winner.token,
    });
    expect(mine.body).toMatchObject({
      status: "WON",
      shipment: { carrier: "CJ Logistics", trackingNumber: "CJ-1000" },
    });
    expect(Date.parse(mine.body.reviewDueAt)).toBe(due);

    const extended = await api("POST", `/v1/trials/${trial.id}/applications/me/extend`, {
      token: winner.token,
    });
    expect(Date.parse(extended.body.reviewDueAt) - due).toBe(7 * 86_400_000);
    expect(
      errorCode(
        await api("POST", `/v1/trials/${trial.id}/applications/me/extend`, { token: winner.token }),
      ),
    ).toBe("EXTENSION_USED");

    const review = await api("POST", `/v1/trials/${trial.id}/reviews`, {
      token: winner.token,
      body: { rating: 5, title: "Worth it", body: "Arrived fast, works well." },
    });
    expect(review.status).toBe(201);
    const me = await api("GET", "/v1/users/me", { token: winner.token });
    expect(me.body.reliability).toMatchObject({ completed: 1, missed: 0, strikes: 0 });
  });
});
