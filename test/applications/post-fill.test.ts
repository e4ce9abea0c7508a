import { describe, expect, it } from "vitest";
import { waitFor } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { gateOf } from "../support/workerd/gate";
import { api, errorCode } from "../support/workerd/http";

const apply = (trialId: string, token: string) =>
  api("POST", `/v1/trials/${trialId}/applications`, { token, body: {} });

describe("after a trial is full (the Workers' closed notice)", () => {
  it("refuses every newcomer with 409, still answers a member who won with their application, and counts all the refused demand", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2 });
    const [first, second] = await createUsers("MEMBER", 2);
    const winners = [first!, second!];
    const won = await Promise.all(winners.map((m) => apply(trial.id, m.token)));
    expect(won.map((r) => r.status)).toEqual([201, 201]);

    // The first refusal comes from the gate and teaches this isolate the notice.
    const newcomers = await createUsers("MEMBER", 41);
    const firstRefusal = await apply(trial.id, newcomers[0]!.token);
    expect(firstRefusal.status).toBe(409);
    await new Promise((r) => setTimeout(r, 100));

    const refused = await Promise.all(newcomers.slice(1).map((m) => apply(trial.id, m.token)));
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(errorCode(r)).toBe("TRIAL_CLOSED");
    }
    // A winner who presses again gets their own application, not a 409.
    const again = await apply(trial.id, first!.token);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: won[0]!.body.id, status: "WON" });

    // Every refused attempt is rejected demand at the gate, wherever it was refused.
    await waitFor(
      async () => ((await gateOf(trial.id).snapshot())?.rejected === 41 ? true : undefined),
      { what: "41 rejected attempts counted by the gate" },
    );
  });

  it("a place given back reopens the trial for the next newcomer at once", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const [winner, late, next] = await createUsers("MEMBER", 3);
    expect((await apply(trial.id, winner!.token)).status).toBe(201);
    expect((await apply(trial.id, late!.token)).status).toBe(409);
    await new Promise((r) => setTimeout(r, 100));
    const withdrawn = await api("DELETE", `/v1/trials/${trial.id}/applications/me`, {
      token: winner!.token,
    });
    expect(withdrawn.status).toBe(200);
    const res = await apply(trial.id, next!.token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "WON", seq: 2 });
  });
});
