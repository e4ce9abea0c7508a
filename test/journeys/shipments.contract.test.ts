import { describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createTrial, createUser, sql, type TestUser } from "../support/contract/fixtures";

/**
 * Shipments over HTTP on both runtimes: the bulk upload's CSV goes through csv-parse on
 * Workers and on Deno alike, and the single shipment and the extension answer the journey.
 * The winners are written straight into Postgres as the decisions consumer and the
 * confirmation leave them: these routes read Postgres only.
 */

let seq = 1;

async function confirmedWinner(trialId: string, member: TestUser): Promise<string> {
  const id = crypto.randomUUID();
  await sql(
    `INSERT INTO applications (id, trial_id, user_id, seq, status, applied_at, decided_at, version, confirmed_at)
     VALUES ($1, $2, $3, $4, 'WON', now(), now(), 1, now())`,
    [id, trialId, member.id, seq++],
  );
  return id;
}

describe("shipments and the review deadline", () => {
  it("a CSV upload with quoted fields writes the good rows and names the broken ones", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const a = await confirmedWinner(trial.id, await createUser("MEMBER"));
    const b = await confirmedWinner(trial.id, await createUser("MEMBER"));
    const csv = [
      "applicationId,carrier,trackingNumber",
      `${a},"DHL, ""Express""",JJD-1`,
      `${b},UPS`,
      `${crypto.randomUUID()},GLS,G-3`,
    ].join("\n");
    const res = await api("POST", `/v1/trials/${trial.id}/shipments`, {
      token: company.token,
      raw: csv,
      headers: { "content-type": "text/csv; charset=utf-8" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.accepted).toBe(1);
    expect(res.body.refused.map((r: { row: number; code: string }) => [r.row, r.code])).toEqual([
      [2, "VALIDATION_FAILED"],
      [3, "APPLICATION_NOT_FOUND"],
    ]);
    const [stored] = await sql<{ carrier: string }>(
      "SELECT carrier FROM winner_journeys WHERE application_id = $1",
      [a],
    );
    expect(stored?.carrier).toBe('DHL, "Express"');
  });

  it("PUT a shipment, then the member extends the deadline once", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    const id = await confirmedWinner(trial.id, member);
    const shipped = await api("PUT", `/v1/trials/${trial.id}/applications/${id}/shipment`, {
      token: company.token,
      body: { carrier: "DHL", trackingNumber: "JJD-2" },
    });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    const extend = () =>
      api("POST", `/v1/trials/${trial.id}/applications/me/extend`, { token: member.token });
    const first = await extend();
    expect(first.status).toBe(200);
    expect(Date.parse(first.body.reviewDueAt) - Date.parse(shipped.body.reviewDueAt)).toBe(
      7 * 86_400_000,
    );
    const second = await extend();
    expect([second.status, errorCode(second)]).toEqual([409, "EXTENSION_USED"]);
  });
});
