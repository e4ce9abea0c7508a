import { describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createTrial, createUser, createUsers, sql, waitFor } from "../support/contract/fixtures";

/**
 * The winner's confirmation over HTTP, on both runtimes, on a real clock. The API's shortest
 * window is one minute, so this waits one: nobody outside the platform ticks anything (no
 * cron is triggered by the test; the gate's alarm on Cloudflare, the process timer on Deno).
 */

const ADDRESS = {
  recipient: "Kim Min-ji",
  phone: "+82 10-1234-5678",
  address: "12 Sejong-daero, Jung-gu, Seoul 04524",
};

const apply = (trialId: string, token: string) =>
  api("POST", `/v1/trials/${trialId}/applications`, { token, body: {} });
const mine = (trialId: string, token: string) =>
  api("GET", `/v1/trials/${trialId}/applications/me`, { token });
const confirm = (trialId: string, token: string, body: unknown = ADDRESS) =>
  api("POST", `/v1/trials/${trialId}/applications/me/confirm`, { token, body });

describe("the confirmation window", () => {
  it("takes a place from a winner who does not confirm in time and gives the waitlist head a window of its own", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, {
      slots: 1,
      waitlistSize: 2,
      confirmWithinMinutes: 1,
    });
    expect(trial).toMatchObject({ confirmWithinMinutes: 1, reviewWithinDays: 14 });
    const [late, next, last] = await createUsers("MEMBER", 3);
    if (!late || !next || !last) throw new Error("three members expected");

    const won = await apply(trial.id, late.token);
    expect(won.status).toBe(201);
    expect(won.body).toMatchObject({ status: "WON", confirmedAt: null, cancelledReason: null });
    const deadline = Date.parse(won.body.confirmBy);
    expect(deadline - Date.parse(won.body.decidedAt)).toBe(60_000);
    expect((await apply(trial.id, next.token)).body).toMatchObject({
      status: "WAITLISTED",
      confirmBy: null,
    });
    await apply(trial.id, last.token);

    // A waiting member cannot confirm; a broken address changes nothing.
    expect(errorCode(await confirm(trial.id, next.token))).toBe("NOT_A_WINNER");
    const broken = await confirm(trial.id, late.token, { ...ADDRESS, address: "x".repeat(301) });
    expect(broken.status).toBe(400);
    expect((await mine(trial.id, late.token)).body.confirmedAt).toBeNull();

    // The deadline passes untouched: the gate moves the place on by itself.
    const promoted = await waitFor(
      async () => {
        const res = await mine(trial.id, next.token);
        return res.body.status === "WON" ? res.body : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 500, what: "the waitlist head's promotion" },
    );
    const lost = (await mine(trial.id, late.token)).body;
    expect(lost).toMatchObject({ status: "CANCELLED", cancelledReason: "NOT_CONFIRMED" });
    expect(Date.parse(lost.decidedAt)).toBeGreaterThan(deadline);
    // Its own full window, counted from the promotion.
    expect(Date.parse(promoted.confirmBy) - Date.parse(promoted.decidedAt)).toBe(60_000);
    expect((await mine(trial.id, last.token)).body).toMatchObject({
      status: "WAITLISTED",
      position: 1,
    });

    expect(errorCode(await confirm(trial.id, late.token))).toBe("CONFIRMATION_CLOSED");
    const confirmed = await confirm(trial.id, next.token);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: "WON", confirmBy: null });
    expect(Date.parse(confirmed.body.confirmedAt)).toBeGreaterThan(0);
    expect(errorCode(await confirm(trial.id, next.token))).toBe("ALREADY_CONFIRMED");

    // Postgres converges: the loss with its reason, the confirmation with a sealed address
    // that holds none of the plain text.
    const rows = await waitFor(
      async () => {
        const r = await sql(
          `SELECT a.user_id, a.status, a.cancelled_reason, a.confirmed_at, s.sealed, s.key_id
             FROM applications a LEFT JOIN shipping_addresses s ON s.application_id = a.id
            WHERE a.trial_id = $1 ORDER BY a.seq`,
          [trial.id],
        );
        return r[1]?.sealed ? r : undefined;
      },
      { what: "the confirmation in Postgres" },
    );
    expect(rows.map((r) => [r.user_id, r.status, r.cancelled_reason])).toEqual([
      [late.id, "CANCELLED", "NOT_CONFIRMED"],
      [next.id, "WON", null],
      [last.id, "WAITLISTED", null],
    ]);
    const stored = `${rows[1].sealed} ${rows[1].key_id}`;
    for (const plain of [ADDRESS.recipient, "Kim", "1234", "Sejong", "Seoul"]) {
      expect(stored).not.toContain(plain);
    }
    expect(rows[0].sealed).toBeNull();
  }, 240_000);

  it("refuses what is not the member's to confirm", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const [member] = await createUsers("MEMBER", 1);
    if (!member) throw new Error("a member expected");
    expect(errorCode(await confirm(trial.id, member.token))).toBe("APPLICATION_NOT_FOUND");
    expect(errorCode(await confirm(crypto.randomUUID(), member.token))).toBe("TRIAL_NOT_FOUND");
    expect((await confirm(trial.id, company.token)).status).toBe(403);
    expect(
      (await api("POST", `/v1/trials/${trial.id}/applications/me/confirm`, { body: ADDRESS }))
        .status,
    ).toBe(401);
    // Without a window a winner still confirms (to give an address), with no deadline.
    const won = await apply(trial.id, member.token);
    expect(won.body).toMatchObject({ status: "WON", confirmBy: null });
    expect((await confirm(trial.id, member.token)).status).toBe(200);
  });
});
