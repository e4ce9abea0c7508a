import { afterAll, describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createProduct, createTrial, createUser, sql, waitFor } from "../support/contract/fixtures";

/**
 * Issue 13, finding 7: one bad row must not stop a batch job for everyone. The poison here
 * is one Postgres holds but the statistics build trips on: an application that arrived at
 * `infinity` (a valid timestamptz, but no JavaScript Date). Its trial has the lowest id
 * there is, so every full rebuild meets it in its first batch. Before, that batch threw,
 * the rebuild's cursor never moved, and no trial anywhere got statistics.
 */

const poisonId = `00000000-0000-4000-8000-${crypto.randomUUID().slice(-12)}`;
const poisonApplication = crypto.randomUUID();

afterAll(async () => {
  await sql("DELETE FROM applications WHERE id = $1", [poisonApplication]);
  await sql("DELETE FROM trial_stats WHERE trial_id = $1", [poisonId]);
  await sql("DELETE FROM trials WHERE id = $1", [poisonId]);
});

describe("a batch job meets a row it cannot handle", () => {
  it("the statistics rebuild builds every other trial past it", async () => {
    const [company, member, admin] = await Promise.all([
      createUser("COMPANY"),
      createUser("MEMBER"),
      createUser("ADMIN"),
    ]);
    const productId = await createProduct(company);
    // Long closed, created long ago: no list, sync or reconciliation of today looks at it.
    await sql(
      `INSERT INTO trials (id, product_id, company_id, title, description, slots, waitlist_size,
                           opens_at, closes_at, status, closed_reason, created_at, updated_at)
       VALUES ($1, $2, $3, 'Poisoned', '', 1, 0, '2000-01-01Z', '2000-01-02Z', 'CLOSED', 'ENDED',
               '2000-01-01Z', '2000-01-02Z')`,
      [poisonId, productId, company.id],
    );
    await sql(
      `INSERT INTO applications (id, trial_id, user_id, seq, status, applied_at, decided_at, version)
       VALUES ($1, $2, $3, 1, 'WON', 'infinity', 'infinity', 1)`,
      [poisonApplication, poisonId, member.id],
    );
    const healthy = await createTrial(company);
    await sql("DELETE FROM trial_stats WHERE trial_id = $1", [healthy.id]);

    const rebuild = await api("POST", "/v1/admin/stats/rebuild", { token: admin.token, body: {} });
    expect(rebuild.status).toBe(202);
    const stats = await waitFor(
      async () => {
        const res = await api("GET", `/v1/stats/trials/${healthy.id}`, { token: company.token });
        return res.status === 200 ? res : undefined;
      },
      { what: "the healthy trial's statistics after the rebuild" },
    );
    expect(stats.body).toMatchObject({ trialId: healthy.id, slots: 3 });
    // The poisoned trial is the one left behind.
    const poisoned = await api("GET", `/v1/stats/trials/${poisonId}`, { token: company.token });
    expect([poisoned.status, errorCode(poisoned)]).toEqual([404, "STATS_NOT_READY"]);
  });
});
