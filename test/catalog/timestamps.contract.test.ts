import { afterEach, describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createProduct, createUser, sql, type TestUser } from "../support/contract/fixtures";

/**
 * API.md, "Input rules" (issue 13, finding 2): one timestamp rule everywhere (RFC 3339 with
 * Z or ±hh:mm, a real calendar date, 2000-01-01..2100-01-01), refused with 400 naming the
 * field; and a change of terms that Postgres refuses leaves the gate with the old terms.
 */

const HOUR = 3_600_000;

/** What `valibot`'s isoTimestamp or `Date.parse` used to let through, or the database refused. */
const ODD = {
  "year 0000": "0000-01-01T00:00:00Z",
  "offset +01": "2031-01-01T00:00:00+01",
  "February 30": "2031-02-30T00:00:00Z",
  "year 2101": "2101-01-01T00:00:00Z",
  "year 1999": "1999-12-31T23:59:59Z",
  "hour 24": "2031-01-01T24:00:00Z",
  "no zone": "2031-01-01T00:00:00",
  "date only": "2031-01-01",
  "offset +01:60": "2031-01-01T00:00:00+01:60",
};

async function scheduledTrial(company: TestUser) {
  const productId = await createProduct(company);
  const res = await api("POST", "/v1/trials", {
    token: company.token,
    body: {
      productId,
      title: "Scheduled",
      description: "Not open yet",
      slots: 2,
      waitlistSize: 1,
      opensAt: new Date(Date.now() + HOUR).toISOString(),
      closesAt: new Date(Date.now() + 2 * HOUR).toISOString(),
    },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; opensAt: string; closesAt: string };
}

/** The catalog's terms and the gate's own view (status and remaining come from the gate). */
async function termsOf(trialId: string) {
  const res = await api("GET", `/v1/trials/${trialId}`);
  expect(res.status).toBe(200);
  const { slots, waitlistSize, opensAt, closesAt, status, remaining, applicants } = res.body;
  return { slots, waitlistSize, opensAt, closesAt, status, remaining, applicants };
}

/** Somebody trying to apply: only a gate that took an opening time in the past admits them. */
async function applyOnce(trialId: string) {
  const member = await createUser("MEMBER");
  const res = await api("POST", `/v1/trials/${trialId}/applications`, {
    token: member.token,
    body: {},
  });
  return res.status === 201 ? "ADMITTED" : errorCode(res);
}

describe("timestamps outside the one rule", () => {
  it("POST /v1/trials refuses each with 400 naming the field, and creates nothing", async () => {
    const company = await createUser("COMPANY");
    const productId = await createProduct(company);
    for (const [what, odd] of Object.entries(ODD)) {
      for (const field of ["opensAt", "closesAt"] as const) {
        const body = {
          productId,
          title: "Odd times",
          description: "",
          slots: 1,
          opensAt: new Date(Date.now() + HOUR).toISOString(),
          closesAt: new Date(Date.now() + 2 * HOUR).toISOString(),
          [field]: odd,
        };
        const res = await api("POST", "/v1/trials", { token: company.token, body });
        expect([res.status, errorCode(res)], `${field} ${what}`).toEqual([
          400,
          "VALIDATION_FAILED",
        ]);
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
      }
    }
    const rows = await sql("SELECT count(*)::int AS n FROM trials WHERE product_id = $1", [
      productId,
    ]);
    expect(rows[0]?.n).toBe(0);
  });

  it("PATCH /v1/trials/:id refuses each with 400 and leaves the catalog and the gate as they were", async () => {
    const company = await createUser("COMPANY");
    const trial = await scheduledTrial(company);
    const before = await termsOf(trial.id);
    expect(before).toMatchObject({ status: "SCHEDULED", remaining: 2, slots: 2 });
    for (const [what, odd] of Object.entries(ODD)) {
      for (const field of ["opensAt", "closesAt"] as const) {
        const res = await api("PATCH", `/v1/trials/${trial.id}`, {
          token: company.token,
          // The slots change rides along: it must not be taken either.
          body: { slots: 9, [field]: odd },
        });
        expect([res.status, errorCode(res)], `${field} ${what}`).toEqual([
          400,
          "VALIDATION_FAILED",
        ]);
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
      }
    }
    expect(await termsOf(trial.id)).toEqual(before);
    expect(await applyOnce(trial.id)).toBe("TRIAL_NOT_OPEN");
  });

  it("accepts an offset of ±hh:mm and a fraction of a second, read as the instant they name", async () => {
    const company = await createUser("COMPANY");
    const trial = await scheduledTrial(company);
    const res = await api("PATCH", `/v1/trials/${trial.id}`, {
      token: company.token,
      body: { opensAt: "2099-06-01T12:00:00.5+02:00", closesAt: "2099-12-30T23:59:59-05:30" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      opensAt: "2099-06-01T10:00:00.500Z",
      closesAt: "2099-12-31T05:29:59.000Z",
    });
  });
});

describe("a change of terms that Postgres refuses", () => {
  // Constraints made for one trial's id only, so nothing else in the shared database notices.
  const cleanup: string[] = [];
  afterEach(async () => {
    for (const statement of cleanup.splice(0)) await sql(statement);
  });

  it("refused by a constraint on the UPDATE: the gate never takes the new terms", async () => {
    const company = await createUser("COMPANY");
    const trial = await scheduledTrial(company);
    const before = await termsOf(trial.id);
    const name = `refuse_${trial.id.replace(/-/g, "")}`;
    await sql(
      `ALTER TABLE trials ADD CONSTRAINT ${name}
         CHECK (id <> '${trial.id}'::uuid OR slots <> 7) NOT VALID`,
    );
    cleanup.push(`ALTER TABLE trials DROP CONSTRAINT IF EXISTS ${name}`);

    // Valid by every rule of the API: seven places, opening a minute ago (so, at once).
    const res = await api("PATCH", `/v1/trials/${trial.id}`, {
      token: company.token,
      body: { slots: 7, opensAt: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(res.status).not.toBe(200);
    expect(await termsOf(trial.id)).toEqual(before);
    // The gate still keeps its old opening time: it admits nobody yet.
    expect(await applyOnce(trial.id)).toBe("TRIAL_NOT_OPEN");
  });

  it("refused at commit (a deferred constraint): the gate gets its old terms back", async () => {
    const company = await createUser("COMPANY");
    const trial = await scheduledTrial(company);
    const before = await termsOf(trial.id);
    const name = `refuse_${trial.id.replace(/-/g, "")}`;
    await sql(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.slots = 9 THEN RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514'; END IF;
         RETURN NEW;
       END $$`,
    );
    cleanup.push(`DROP FUNCTION IF EXISTS ${name}() CASCADE`);
    await sql(
      `CREATE CONSTRAINT TRIGGER ${name} AFTER UPDATE ON trials
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
         WHEN (NEW.id = '${trial.id}'::uuid) EXECUTE FUNCTION ${name}()`,
    );

    const res = await api("PATCH", `/v1/trials/${trial.id}`, {
      token: company.token,
      body: { slots: 9, waitlistSize: 4 },
    });
    expect(res.status).not.toBe(200);
    expect(await termsOf(trial.id)).toEqual(before);

    // With the trigger gone the same change goes through on both sides.
    for (const statement of cleanup.splice(0)) await sql(statement);
    const again = await api("PATCH", `/v1/trials/${trial.id}`, {
      token: company.token,
      body: { slots: 9, waitlistSize: 4 },
    });
    expect(again.status).toBe(200);
    expect(await termsOf(trial.id)).toMatchObject({ slots: 9, waitlistSize: 4, remaining: 9 });
  });
});
