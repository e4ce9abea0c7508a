import { env } from "cloudflare:workers";
import { and, eq, sql } from "drizzle-orm";
import * as v from "valibot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ROLES } from "../../core/vocabulary/roles";
import { dataAccessLog, shippingAddresses, winnerJourneys } from "../../db/schema";
import * as R from "../../workers/openapi/responses";
import { withDb } from "../support/workerd/db";
import { createUser, type TestUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { expectGuarded } from "../support/workerd/route-guards";
import { daysBefore, insertClosedTrial, type SeededWinner, seedApplication } from "./fixtures";

/**
 * Winners' addresses as personal data (docs/decisions/0034): only the trial's company and
 * ADMINs read them, every read they make is in the member's access log (written with the
 * read, or no address leaves), the member reads their own unlogged, and Postgres holds
 * ciphertext only.
 */

const winnersOf = (trialId: string, token?: string, query = "") =>
  api("GET", `/v1/trials/${trialId}/winners${query}`, token ? { token } : {});
const myAccessLog = (token: string, query = "") =>
  api("GET", `/v1/users/me/data-access${query}`, { token });
const myAddress = (trialId: string, token?: string) =>
  api("GET", `/v1/trials/${trialId}/applications/me/address`, token ? { token } : {});

const logRows = (where: { trialId: string; readerId?: string }) =>
  withDb((db) =>
    db
      .select()
      .from(dataAccessLog)
      .where(
        and(
          eq(dataAccessLog.trialId, where.trialId),
          where.readerId ? eq(dataAccessLog.readerId, where.readerId) : undefined,
        ),
      ),
  );

/** What the company is shown for a seeded winner (before any shipment). */
function shown(w: SeededWinner) {
  return {
    applicationId: w.applicationId,
    userId: w.member.id,
    name: `MEMBER ${w.member.id.slice(0, 8)}`,
    seq: w.seq,
    ...w.address,
    carrier: null,
    trackingNumber: null,
    shippedAt: null,
  };
}

/** Every console line the Worker writes meanwhile (it shares this isolate's console). */
let lines: string[] = [];
beforeEach(() => {
  lines = [];
  for (const method of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
});
afterEach(() => vi.restoreAllMocks());

function expectNotLogged(winners: SeededWinner[]) {
  for (const w of winners) {
    for (const part of Object.values(w.address ?? {})) {
      for (const line of lines) expect(line).not.toContain(part.split("\n")[0]);
    }
  }
}

async function trialWithWinners(count: number) {
  const company = await createUser("COMPANY");
  const trialId = await insertClosedTrial(company);
  const members = await Promise.all(Array.from({ length: count }, () => createUser("MEMBER")));
  const winners: SeededWinner[] = [];
  for (const [i, member] of members.entries()) {
    winners.push(await seedApplication(trialId, member, i + 1));
  }
  return { company, trialId, winners };
}

describe("GET /v1/trials/:id/winners", () => {
  it("answers the trial's company and ADMINs only: 401 anonymous, 403 members and other companies, 404 unknown trials", async () => {
    const { company, trialId, winners } = await trialWithWinners(1);
    const [other, member, admin] = await Promise.all([
      createUser("COMPANY"),
      createUser("MEMBER"),
      createUser("ADMIN"),
    ]);
    const refusedOther = await winnersOf(trialId, other.token);
    expect([refusedOther.status, errorCode(refusedOther)]).toEqual([403, "NOT_THE_OWNER"]);
    // Not even the winner: a member reads their own address, never the list.
    const winner = winners[0]?.member as TestUser;
    for (const token of [member.token, winner.token]) {
      const refused = await winnersOf(trialId, token);
      expect([refused.status, errorCode(refused)]).toEqual([403, "FORBIDDEN"]);
    }
    const anonymous = await winnersOf(trialId);
    expect([anonymous.status, errorCode(anonymous)]).toEqual([401, "UNAUTHORIZED"]);
    const unknown = await winnersOf(crypto.randomUUID(), admin.token);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "TRIAL_NOT_FOUND"]);
    // Refusals read nothing, so they log nothing.
    expect(await logRows({ trialId })).toEqual([]);

    for (const reader of [company, admin]) {
      const res = await winnersOf(trialId, reader.token);
      expect(res.status, reader.role).toBe(200);
      expect(res.body.items, reader.role).toMatchObject([shown(winners[0] as SeededWinner)]);
    }
    expect((await logRows({ trialId })).map((r) => r.readerId).sort()).toEqual(
      [company.id, admin.id].sort(),
    );
    // And the shared guard check: every role, garbage tokens (its fresh ADMIN reads too).
    await expectGuarded("GET", `/v1/trials/${trialId}/winners`, { allowed: ["COMPANY", "ADMIN"] });
  });

  it("lists confirmed winners only, in seq order, opened, with the shipment once recorded", async () => {
    const company = await createUser("COMPANY");
    const trialId = await insertClosedTrial(company);
    const members = await Promise.all([1, 2, 3, 4, 5].map(() => createUser("MEMBER")));
    const [m1, m2, m3, m4, m5] = members as [TestUser, TestUser, TestUser, TestUser, TestUser];
    const first = await seedApplication(trialId, m1, 1);
    await seedApplication(trialId, m2, 2, { confirmed: false }); // WON, never confirmed
    await seedApplication(trialId, m3, 3, { status: "CANCELLED" }); // confirmed, then gave up
    const shipped = await seedApplication(trialId, m4, 4);
    await seedApplication(trialId, m5, 5, { confirmed: false, status: "WAITLISTED" });
    const shippedAt = daysBefore(Date.now(), 1);
    await withDb((db) =>
      db.insert(winnerJourneys).values({
        applicationId: shipped.applicationId,
        trialId,
        userId: m4.id,
        carrier: "Yamato",
        trackingNumber: "1234-5678-9012",
        shippedAt,
        reviewDueAt: new Date(shippedAt.getTime() + 14 * 86_400_000),
      }),
    );

    const res = await winnersOf(trialId, company.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(v.safeParse(R.WinnerPage, res.body).issues).toBeUndefined();
    expect(res.body).toEqual({
      items: [
        { ...shown(first), confirmedAt: expect.any(String) },
        {
          ...shown(shipped),
          confirmedAt: expect.any(String),
          carrier: "Yamato",
          trackingNumber: "1234-5678-9012",
          shippedAt: shippedAt.toISOString(),
        },
      ],
      nextCursor: null,
    });
    // One log row per address shown, for its member, naming the trial and its company.
    const rows = await logRows({ trialId });
    expect(rows.map((r) => r.userId).sort()).toEqual([m1.id, m4.id].sort());
    for (const row of rows) {
      expect(row).toMatchObject({
        readerId: company.id,
        companyId: company.id,
        trialId,
        what: "SHIPPING_ADDRESS",
      });
    }
    expectNotLogged([first, shipped]);
  });

  it("pages by seq, and logs each page's addresses as they are shown, never the row peeked at", async () => {
    const { company, trialId, winners } = await trialWithWinners(5);
    const seen: number[] = [];
    let cursor: string | null = null;
    const logged: number[] = [];
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await winnersOf(trialId, company.token, query);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((w: { seq: number }) => w.seq));
      cursor = res.body.nextCursor;
      logged.push((await logRows({ trialId })).length);
    } while (cursor);
    expect(seen).toEqual(winners.map((w) => w.seq));
    expect(logged).toEqual([2, 4, 5]);

    for (const query of ["?limit=0", "?limit=101", "?cursor=forged", "?cursor=eyJzZXEiOi0xfQ"]) {
      const res = await winnersOf(trialId, company.token, query);
      expect([res.status, errorCode(res)], query).toEqual([400, "VALIDATION_FAILED"]);
    }
    expect(await logRows({ trialId })).toHaveLength(5);
  });

  it("keeps no plaintext in Postgres: the sealed column and the log hold none of the address", async () => {
    const { company, trialId, winners } = await trialWithWinners(2);
    expect((await winnersOf(trialId, company.token)).status).toBe(200);
    const stored = await withDb((db) =>
      db.select().from(shippingAddresses).where(eq(shippingAddresses.trialId, trialId)),
    );
    const log = await logRows({ trialId });
    expect(stored).toHaveLength(2);
    expect(log).toHaveLength(2);
    const text = JSON.stringify([stored, log]);
    for (const w of winners) {
      const { recipient, phone, address } = w.address ?? { recipient: "", phone: "", address: "" };
      // Every part long enough to mean something: the marker, the street, the number.
      const parts = [recipient, ...recipient.split(" "), phone, phone.replace(/\D/g, "")];
      parts.push(...address.split(/[\s,]+/).filter((p) => p.length >= 5));
      for (const part of parts) expect(text, part).not.toContain(part);
    }
    for (const row of stored) {
      expect(row.keyId).toBe(env.PERSONAL_DATA_KEY_ID);
      expect(row.sealed).toMatch(/^[A-Za-z0-9+/]+=*$/);
    }
  });

  it("sends no address when the access log cannot be written, and leaves no log row", async () => {
    const { trialId, winners } = await trialWithWinners(2);
    const admin = await createUser("ADMIN");
    // The log refuses this one reader (a trigger on the shared database, for this test only).
    const name = `refuse_log_${admin.id.replace(/-/g, "_")}`;
    await withDb(async (db) => {
      await db.execute(
        sql.raw(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN RAISE EXCEPTION 'the access log is down'; END $$`),
      );
      await db.execute(
        sql.raw(`CREATE TRIGGER ${name} BEFORE INSERT ON data_access_log FOR EACH ROW
                 WHEN (NEW.reader_id = '${admin.id}') EXECUTE FUNCTION ${name}()`),
      );
    });
    try {
      const res = await winnersOf(trialId, admin.token);
      expect([res.status, errorCode(res)]).toEqual([500, "INTERNAL"]);
      const body = JSON.stringify(res.body);
      for (const w of winners) expect(body).not.toContain(w.address?.recipient);
      expect(await logRows({ trialId })).toEqual([]);
      expectNotLogged(winners);
    } finally {
      await withDb(async (db) => {
        await db.execute(sql.raw(`DROP TRIGGER IF EXISTS ${name} ON data_access_log`));
        await db.execute(sql.raw(`DROP FUNCTION IF EXISTS ${name}()`));
      });
    }
    // The same read, with the log back, goes through and is logged.
    expect((await winnersOf(trialId, admin.token)).body.items).toHaveLength(2);
    expect(await logRows({ trialId, readerId: admin.id })).toHaveLength(2);
  });
});

describe("GET /v1/users/me/data-access", () => {
  it("is for anyone signed in, about themselves", async () => {
    await expectGuarded("GET", "/v1/users/me/data-access", { allowed: ROLES });
    const company = await createUser("COMPANY");
    const res = await myAccessLog(company.token);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it("shows the member every company and ADMIN read, newest first, and not their own", async () => {
    const { company, trialId, winners } = await trialWithWinners(2);
    const [mine, theirs] = winners as [SeededWinner, SeededWinner];
    const admin = await createUser("ADMIN");
    expect((await winnersOf(trialId, company.token)).status).toBe(200);
    expect((await winnersOf(trialId, admin.token)).status).toBe(200);
    const own = await myAddress(trialId, mine.member.token);
    expect(own.status).toBe(200);

    const res = await myAccessLog(mine.member.token);
    expect(res.status).toBe(200);
    expect(v.safeParse(R.DataAccessPage, res.body).issues).toBeUndefined();
    const read = { companyId: company.id, trialId, what: "SHIPPING_ADDRESS" };
    expect(res.body).toEqual({
      items: [
        { at: expect.any(String), ...read },
        { at: expect.any(String), ...read },
      ],
      nextCursor: null,
    });
    const [newer, older] = res.body.items as { at: string }[];
    expect(Date.parse(newer?.at ?? "")).toBeGreaterThanOrEqual(Date.parse(older?.at ?? ""));
    // The other winner sees their own two reads, not this member's.
    expect((await myAccessLog(theirs.member.token)).body.items).toHaveLength(2);
    expect(await logRows({ trialId })).toHaveLength(4);

    // Paged like every list, one read at a time.
    const page1 = await myAccessLog(mine.member.token, "?limit=1");
    expect(page1.body.items).toEqual([res.body.items[0]]);
    const page2 = await myAccessLog(mine.member.token, `?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body).toEqual({ items: [res.body.items[1]], nextCursor: null });
    const forged = await myAccessLog(mine.member.token, "?cursor=eyJ0IjoxfQ");
    expect([forged.status, errorCode(forged)]).toEqual([400, "VALIDATION_FAILED"]);
  });
});

describe("GET /v1/trials/:id/applications/me/address", () => {
  it("gives the member their own address, unlogged; 404 before confirming", async () => {
    const company = await createUser("COMPANY");
    const trialId = await insertClosedTrial(company);
    const [confirmed, unconfirmed, stranger] = await Promise.all([
      createUser("MEMBER"),
      createUser("MEMBER"),
      createUser("MEMBER"),
    ]);
    const winner = await seedApplication(trialId, confirmed, 1);
    await seedApplication(trialId, unconfirmed, 2, { confirmed: false });

    const res = await myAddress(trialId, confirmed.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(v.safeParse(R.OwnAddress, res.body).issues).toBeUndefined();
    expect(res.body).toEqual({ ...winner.address, confirmedAt: expect.any(String) });
    expect(await logRows({ trialId })).toEqual([]);
    expectNotLogged([winner]);

    for (const member of [unconfirmed, stranger]) {
      const missing = await myAddress(trialId, member.token);
      expect([missing.status, errorCode(missing)]).toEqual([404, "ADDRESS_NOT_FOUND"]);
    }
    const unknown = await myAddress(crypto.randomUUID(), confirmed.token);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "TRIAL_NOT_FOUND"]);
  });

  it("is the member's alone: 401 anonymous, 403 for companies and ADMINs", async () => {
    const company = await createUser("COMPANY");
    const trialId = await insertClosedTrial(company);
    await expectGuarded("GET", `/v1/trials/${trialId}/applications/me/address`, {
      allowed: ["MEMBER"],
    });
  });
});
