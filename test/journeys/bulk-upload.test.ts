import { describe, expect, it } from "vitest";
import { connect } from "../../db/client";
import { recordBulkShipments } from "../../workers/journeys/bulk-shipments";
import { testConfig } from "../support/workerd/db";
import { createTrial, createUser, type TestUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { applicationRow, journeyOf, notificationsOf } from "../support/workerd/journeys";
import { expectGuarded } from "../support/workerd/route-guards";

const upload = (trialId: string, token: string | undefined, rows: unknown) =>
  api("POST", `/v1/trials/${trialId}/shipments`, {
    ...(token !== undefined && { token }),
    body: rows,
  });

const uploadCsv = (trialId: string, token: string, csv: string, type = "text/csv") =>
  api("POST", `/v1/trials/${trialId}/shipments`, {
    token,
    raw: csv,
    headers: { "content-type": type },
  });

async function trialWithWinners(count: number) {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company);
  const winners = [];
  for (let i = 0; i < count; i++) {
    winners.push(await applicationRow(trial.id, await createUser("MEMBER")));
  }
  return { company, trial, winners };
}

describe("POST /v1/trials/:id/shipments", () => {
  it("JSON: reports exactly the broken rows, and writes the good ones", async () => {
    const { company, trial, winners } = await trialWithWinners(3);
    const [a, b, c] = winners as [(typeof winners)[0], (typeof winners)[0], (typeof winners)[0]];
    const unconfirmed = await applicationRow(trial.id, await createUser("MEMBER"), {
      confirmed: false,
    });
    const res = await upload(trial.id, company.token, [
      { applicationId: a.id, carrier: "DHL", trackingNumber: "A-1" }, // 1 good
      { applicationId: "not-a-uuid", carrier: "DHL", trackingNumber: "X-1" }, // 2 bad id
      { applicationId: b.id, carrier: "DHL" }, // 3 missing field
      { applicationId: unconfirmed.id, carrier: "DHL", trackingNumber: "U-1" }, // 4 unconfirmed
      { applicationId: a.id, carrier: "UPS", trackingNumber: "A-2" }, // 5 repeats row 1
      { applicationId: crypto.randomUUID(), carrier: "DHL", trackingNumber: "N-1" }, // 6 unknown
      "not a row", // 7
      { applicationId: c.id, carrier: "  GLS  ", trackingNumber: "C-1" }, // 8 good
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.accepted).toBe(2);
    expect(res.body.refused.map((r: { row: number; code: string }) => [r.row, r.code])).toEqual([
      [2, "VALIDATION_FAILED"],
      [3, "VALIDATION_FAILED"],
      [4, "NOT_CONFIRMED"],
      [5, "VALIDATION_FAILED"],
      [6, "APPLICATION_NOT_FOUND"],
      [7, "VALIDATION_FAILED"],
    ]);
    const messages = res.body.refused.map((r: { message: string }) => r.message);
    expect(messages[0]).toContain("applicationId");
    expect(messages[1]).toContain("trackingNumber");
    expect(messages[3]).toContain("repeats row 1");

    expect(await journeyOf(a.id)).toMatchObject({ carrier: "DHL", trackingNumber: "A-1" });
    expect(await journeyOf(c.id)).toMatchObject({ carrier: "GLS", trackingNumber: "C-1" });
    expect(await journeyOf(b.id)).toBeNull();
    expect(await journeyOf(unconfirmed.id)).toBeNull();
    const told = await notificationsOf([a.id, b.id, c.id, unconfirmed.id]);
    expect(told.map((n) => n.applicationId).sort()).toEqual([a.id, c.id].sort());
  });

  it("CSV: a header row, quoted fields with commas and quotes, and the broken rows by data row number", async () => {
    const { company, trial, winners } = await trialWithWinners(3);
    const [a, b, c] = winners as [(typeof winners)[0], (typeof winners)[0], (typeof winners)[0]];
    const unconfirmed = await applicationRow(trial.id, await createUser("MEMBER"), {
      confirmed: false,
    });
    const csv = [
      "applicationId,carrier,trackingNumber",
      `${a.id},"DHL, Express",JJD-1`, // 1: a comma inside quotes
      `${b.id},"Post ""Fast"" Ltd",PF-2`, // 2: quotes inside quotes
      `${c.id},GLS`, // 3: a missing field
      `${unconfirmed.id},DHL,U-4`, // 4: not confirmed
      `${a.id},UPS,1Z-5`, // 5: repeats row 1
      `nope,DHL,X-6`, // 6: a bad id
      `${c.id},GLS,C-7,extra`, // 7: a field too many
      "",
      `${c.id},"Royal Mail
Tracked",RM-8`, // 8: a line break inside quotes (blank line above skipped)
    ].join("\r\n");
    const res = await uploadCsv(trial.id, company.token, csv);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.refused.map((r: { row: number; code: string }) => [r.row, r.code])).toEqual([
      [3, "VALIDATION_FAILED"],
      [4, "NOT_CONFIRMED"],
      [5, "VALIDATION_FAILED"],
      [6, "VALIDATION_FAILED"],
      [7, "VALIDATION_FAILED"],
    ]);
    expect(res.body.accepted).toBe(3);
    expect(await journeyOf(a.id)).toMatchObject({
      carrier: "DHL, Express",
      trackingNumber: "JJD-1",
    });
    expect(await journeyOf(b.id)).toMatchObject({
      carrier: 'Post "Fast" Ltd',
      trackingNumber: "PF-2",
    });
    expect(await journeyOf(c.id)).toMatchObject({ carrier: "Royal Mail\nTracked" });
    expect(await journeyOf(unconfirmed.id)).toBeNull();
  });

  it("refuses the whole upload when it is not a list of rows", async () => {
    const { company, trial, winners } = await trialWithWinners(1);
    const id = winners[0]?.id as string;
    const row = { applicationId: id, carrier: "DHL", trackingNumber: "A-1" };
    const cases: [Promise<Awaited<ReturnType<typeof upload>>>, number, string][] = [
      [
        uploadCsv(trial.id, company.token, JSON.stringify([row]), "text/plain"),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      ],
      [uploadCsv(trial.id, company.token, "[{", "application/json"), 400, "MALFORMED_JSON"],
      [upload(trial.id, company.token, row), 400, "VALIDATION_FAILED"],
      [upload(trial.id, company.token, []), 400, "VALIDATION_FAILED"],
      [uploadCsv(trial.id, company.token, `${id},DHL,A-1`), 400, "VALIDATION_FAILED"],
      [
        uploadCsv(trial.id, company.token, `applicationId,carrier,trackingNumber\n"${id},DHL,A-1`),
        400,
        "VALIDATION_FAILED",
      ],
      [
        upload(
          trial.id,
          company.token,
          Array.from({ length: 1001 }, () => row),
        ),
        400,
        "VALIDATION_FAILED",
      ],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      expect([res.status, errorCode(res)]).toEqual([status, code]);
    }
    const huge = await uploadCsv(trial.id, company.token, "x".repeat(600 * 1024));
    expect([huge.status, errorCode(huge)]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    expect(await journeyOf(id)).toBeNull();
  });

  it("writes all accepted rows or none: a failure inside the transaction leaves nothing", async () => {
    const { company, trial, winners } = await trialWithWinners(2);
    const conn = await connect(testConfig().database);
    try {
      // The statement after the journeys' upsert (the SHIPPED messages) fails.
      const client = (conn.db as unknown as { $client: { query: (...a: unknown[]) => unknown } })
        .$client;
      const query = client.query.bind(client);
      client.query = (...args: unknown[]) => {
        if (JSON.stringify(args[0]).includes('insert into \\"notifications\\"')) {
          throw new Error("simulated failure");
        }
        return query(...args);
      };
      const failed = await recordBulkShipments(
        conn.db,
        { userId: company.id, role: "COMPANY" },
        trial.id,
        winners.map((w, i) => ({ applicationId: w.id, carrier: "DHL", trackingNumber: `T-${i}` })),
        new Date(),
      ).catch((err: Error) => err);
      // drizzle names the statement that failed; the failure itself is its cause.
      expect(failed).toBeInstanceOf(Error);
      expect(String((failed as Error).cause)).toContain("simulated failure");
    } finally {
      await conn.close();
    }
    for (const w of winners) expect(await journeyOf(w.id)).toBeNull();
    expect(await notificationsOf(winners.map((w) => w.id))).toEqual([]);
  });

  it("only the trial's company or an ADMIN: another company 403, a member 403, anonymous 401", async () => {
    const { company, trial, winners } = await trialWithWinners(1);
    const id = winners[0]?.id as string;
    const rows = [{ applicationId: id, carrier: "DHL", trackingNumber: "A-1" }];
    const tryAs = async (user: TestUser | undefined) => upload(trial.id, user?.token, rows);

    const stranger = await tryAs(await createUser("COMPANY"));
    expect([stranger.status, errorCode(stranger)]).toEqual([403, "NOT_THE_OWNER"]);
    const member = await tryAs(await createUser("MEMBER"));
    expect([member.status, errorCode(member)]).toEqual([403, "FORBIDDEN"]);
    const anonymous = await tryAs(undefined);
    expect([anonymous.status, errorCode(anonymous)]).toEqual([401, "UNAUTHORIZED"]);
    expect(await journeyOf(id)).toBeNull();

    await expectGuarded("POST", `/v1/trials/${trial.id}/shipments`, {
      allowed: ["COMPANY", "ADMIN"],
      body: rows,
    });
    const owner = await tryAs(company);
    expect(owner.body).toEqual({ accepted: 1, refused: [] });
  });
});
