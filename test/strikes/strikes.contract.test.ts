import { describe, expect, it } from "vitest";
import { refresh } from "../support/contract/accounts";
import { api, baseUrls, errorCode } from "../support/contract/client";
import { createTrial, createUser, FIXTURE_PASSWORD, sql } from "../support/contract/fixtures";

/**
 * Two strikes restrict applying and a granted appeal lifts it, over HTTP on both runtimes
 * (docs/decisions/0036). The strikes are written straight into the target's Postgres, as
 * the review-deadline job records them.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** The revocation list's propagation to every process (MAX_STALENESS_MS, 0024), and a margin. */
const PROPAGATION_MS = 1100;

describe("strikes restrict applying, an appeal lifts it", () => {
  it("refuses 403 MEMBER_RESTRICTED with the date; after a granted appeal and a refresh the member applies", async () => {
    const trial = await createTrial(await createUser("COMPANY"), { slots: 5 });
    const member = await createUser("MEMBER");
    const admin = await createUser("ADMIN");
    const recorded = await sql<{ id: string; at: Date }>(
      `INSERT INTO strikes (user_id, application_id, trial_id, at)
       VALUES ($1, gen_random_uuid(), gen_random_uuid(), now() - interval '20 days'),
              ($1, gen_random_uuid(), gen_random_uuid(), now() - interval '2 days')
       RETURNING id, at`,
      [member.id],
    );
    const second = recorded.sort((a, b) => a.at.getTime() - b.at.getTime())[1];
    if (!second) throw new Error("strikes missing");

    const login = await api("POST", "/v1/auth/login", {
      body: { email: member.email, password: FIXTURE_PASSWORD },
    });
    expect(login.status).toBe(200);
    const apply = (token: string, server = 0) =>
      api("POST", `/v1/trials/${trial.id}/applications`, { token, body: {}, server });

    for (let server = 0; server < baseUrls.length; server++) {
      const refused = await apply(login.body.accessToken, server);
      expect([refused.status, errorCode(refused)]).toEqual([403, "MEMBER_RESTRICTED"]);
      const [detail] = refused.body.error.details;
      expect(detail.path).toBe("restrictedUntil");
      // The second strike + 30 days, rounded up to the second.
      const until = Date.parse(detail.message);
      expect(until - (second.at.getTime() + 30 * DAY_MS)).toBeGreaterThanOrEqual(0);
      expect(until - (second.at.getTime() + 30 * DAY_MS)).toBeLessThan(1000);
    }

    const me = await api("GET", "/v1/users/me", { token: login.body.accessToken });
    expect(me.body.reliability).toMatchObject({ strikes: 2, restrictedUntil: expect.any(String) });
    const appealed = await api("POST", `/v1/me/strikes/${second.id}/appeal`, {
      token: login.body.accessToken,
      body: { reason: "The parcel was lost in the post" },
    });
    expect(appealed.status).toBe(201);
    const granted = await api("POST", `/v1/admin/appeals/${second.id}`, {
      token: admin.token,
      body: { decision: "GRANTED" },
    });
    expect(granted.status).toBe(200);

    await new Promise((r) => setTimeout(r, PROPAGATION_MS));
    for (let server = 0; server < baseUrls.length; server++) {
      const old = await apply(login.body.accessToken, server);
      expect([old.status, errorCode(old)]).toEqual([401, "TOKEN_EXPIRED"]);
    }
    const refreshed = await refresh(login.body.refreshToken);
    expect(refreshed.status).toBe(200);
    const applied = await apply(refreshed.body.accessToken);
    expect(applied.status).toBe(201);
  });
});
