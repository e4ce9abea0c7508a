import { describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createUser, sql } from "../support/contract/fixtures";
import { closedTrial, confirmedWinner, withAddress } from "./contract-fixtures";

/**
 * Winners' addresses on both runtimes, over HTTP: a value sealed in Node with the server's
 * configured key opens there (Workers or Deno WebCrypto), only the trial's company and ADMINs
 * get the list, each of their reads reaches the member's access log and the member's own does
 * not, and deleting the account erases the member's addresses at once.
 */

describe("winners' addresses, over HTTP", () => {
  it("the owner and an ADMIN read them, each read logged for the member; others are refused", async () => {
    const [company, other, admin, m1, m2] = await Promise.all([
      createUser("COMPANY"),
      createUser("COMPANY"),
      createUser("ADMIN"),
      createUser("MEMBER"),
      createUser("MEMBER"),
    ]);
    const trialId = await closedTrial(company);
    const w1 = await confirmedWinner(trialId, m1, 1);
    const w2 = await confirmedWinner(trialId, m2, 2);
    const path = `/v1/trials/${trialId}/winners`;

    const anonymous = await api("GET", path);
    expect([anonymous.status, errorCode(anonymous)]).toEqual([401, "UNAUTHORIZED"]);
    const notOwner = await api("GET", path, { token: other.token });
    expect([notOwner.status, errorCode(notOwner)]).toEqual([403, "NOT_THE_OWNER"]);
    const member = await api("GET", path, { token: m1.token });
    expect([member.status, errorCode(member)]).toEqual([403, "FORBIDDEN"]);

    const page1 = await api("GET", `${path}?limit=1`, { token: company.token });
    expect(page1.status).toBe(200);
    expect(page1.body.items).toEqual([
      expect.objectContaining({ applicationId: w1.applicationId, seq: 1, ...w1.address }),
    ]);
    const page2 = await api("GET", `${path}?limit=1&cursor=${page1.body.nextCursor}`, {
      token: company.token,
    });
    expect(page2.body).toEqual({
      items: [expect.objectContaining({ applicationId: w2.applicationId, ...w2.address })],
      nextCursor: null,
    });
    const byAdmin = await api("GET", path, { token: admin.token });
    expect(byAdmin.body.items).toHaveLength(2);

    // The member reads their own address, which is not logged.
    const own = await api("GET", `/v1/trials/${trialId}/applications/me/address`, {
      token: m1.token,
    });
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ ...w1.address, confirmedAt: expect.any(String) });

    const log = await api("GET", "/v1/users/me/data-access", { token: m1.token });
    expect(log.status).toBe(200);
    const read = {
      at: expect.any(String),
      companyId: company.id,
      trialId,
      what: "SHIPPING_ADDRESS",
    };
    expect(log.body).toEqual({ items: [read, read], nextCursor: null });
    const rows = await sql(
      "SELECT reader_id FROM data_access_log WHERE trial_id = $1 AND user_id = $2",
      [trialId, m1.id],
    );
    expect(rows.map((r) => r.reader_id).sort()).toEqual([company.id, admin.id].sort());

    // Postgres holds ciphertext only.
    const stored = JSON.stringify(
      await sql("SELECT * FROM shipping_addresses WHERE trial_id = $1", [trialId]),
    );
    for (const w of [w1, w2]) {
      for (const part of [w.address.recipient, w.address.phone, w.address.address.slice(0, 8)]) {
        expect(stored).not.toContain(part);
      }
    }
  });

  it("deleting the account erases the member's addresses at once", async () => {
    const [company, leaving, staying] = await Promise.all([
      createUser("COMPANY"),
      createUser("MEMBER"),
      createUser("MEMBER"),
    ]);
    const trialId = await closedTrial(company);
    const gone = await confirmedWinner(trialId, leaving, 1);
    const kept = await confirmedWinner(trialId, staying, 2);
    const res = await api("DELETE", "/v1/users/me", { token: leaving.token });
    expect(res.status).toBe(204);
    expect(await withAddress([gone.applicationId, kept.applicationId])).toEqual([
      kept.applicationId,
    ]);
    const list = await api("GET", `/v1/trials/${trialId}/winners`, { token: company.token });
    expect(list.body.items.map((w: { applicationId: string }) => w.applicationId)).toEqual([
      kept.applicationId,
    ]);
  });
});
