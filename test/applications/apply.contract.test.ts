import { describe, expect, it } from "vitest";
import { type ApiResponse, api, baseUrls, errorCode } from "../support/contract/client";
import { createTrial, createUser, createUsers, sql, waitFor } from "../support/contract/fixtures";

/**
 * The first-come core over HTTP. On the Deno target every flood is split across its two
 * server processes (one KV file between them), so these are also the cross-process proofs.
 */

interface AppRow {
  id: string;
  seq: number;
  status: string;
  user_id: string;
  position: number | null;
}

const persisted = (trialId: string) =>
  sql<AppRow>(
    "SELECT id, seq, status, user_id, position FROM applications WHERE trial_id = $1 ORDER BY seq",
    [trialId],
  );

/** Waits until Postgres holds `count` rows for the trial that match `ready`. */
const persistedWhen = (trialId: string, count: number, ready: (rows: AppRow[]) => boolean) =>
  waitFor(
    async () => {
      const rows = await persisted(trialId);
      return rows.length === count && ready(rows) ? rows : undefined;
    },
    { what: `${count} persisted applications of ${trialId}` },
  );

const apply = (trialId: string, token: string, server = 0) =>
  api("POST", `/v1/trials/${trialId}/applications`, { token, body: {}, server });

// The flood also runs in the workerd pool (apply.test.ts) on the one-at-a-time gate path; this
// one checks the group commit over real HTTP, on `wrangler dev` and across two Deno servers.
describe("applications: a flood at the opening second", () => {
  it("admits exactly slots WON and waitlistSize WAITLISTED out of 220 concurrent members, gapless, and persists exactly those", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 30, waitlistSize: 20 });
    const members = await createUsers("MEMBER", 220);
    // One member per server applies first, one at a time: then every server has decided a
    // place whatever the flood's timing (one server may otherwise win the whole race, which
    // is correct but would leave the cross-process claim unexercised).
    const openers = await createUsers("MEMBER", baseUrls.length);
    const opening: ApiResponse[] = [];
    for (const [server, m] of openers.entries())
      opening.push(await apply(trial.id, m.token, server));
    expect(opening.map((r) => r.status)).toEqual(openers.map(() => 201));

    // Then all 220: every request in flight before the first answer is read, alternating servers.
    const responses = await Promise.all(
      members.map((m, i) => apply(trial.id, m.token, i % baseUrls.length)),
    );

    const created = [...opening, ...responses].filter((r) => r.status === 201).map((r) => r.body);
    const refused = responses.filter((r) => r.status !== 201);
    expect(created).toHaveLength(50);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(errorCode(r)).toBe("TRIAL_CLOSED");
    }
    expect(refused).toHaveLength(170 + openers.length);

    // Group commit: each answer names how many applications shared its gate call. With 220
    // requests in flight at once, calls are shared (fewer gate calls than answers).
    const batchSizes = responses
      .filter((r) => r.status === 201)
      .map((r) => Number(/desc="batch of (\d+)"/.exec(r.headers.get("server-timing") ?? "")?.[1]));
    expect(batchSizes.every((n) => Number.isInteger(n) && n >= 1)).toBe(true);
    expect(batchSizes.some((n) => n > 1)).toBe(true);

    const bySeq = [...created].sort((a, b) => a.seq - b.seq);
    expect(bySeq.map((a) => a.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(bySeq.slice(0, 30).every((a) => a.status === "WON" && a.position === null)).toBe(true);
    expect(bySeq.slice(30).every((a) => a.status === "WAITLISTED")).toBe(true);
    expect(bySeq.slice(30).map((a) => a.position)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(new Set(created.map((a) => a.userId)).size).toBe(50);
    // Every server decided into this one gapless ledger (the openers took seq 1, 2, …).
    expect(opening.map((r) => r.body.seq)).toEqual(openers.map((_, i) => i + 1));

    const detail = await api("GET", `/v1/trials/${trial.id}`);
    expect(detail.body).toMatchObject({
      status: "CLOSED",
      closedReason: "FULL",
      won: 30,
      waitlisted: 20,
      remaining: 0,
      applicants: 50,
    });

    // After FULL every later application is refused, on every server.
    const late = await createUsers("MEMBER", baseUrls.length);
    for (const [server, m] of late.entries()) {
      const res = await apply(trial.id, m.token, server);
      expect(res.status).toBe(409);
      expect(errorCode(res)).toBe("TRIAL_CLOSED");
    }

    // Drained to Postgres: exactly those 50, same ids, seqs and outcomes.
    const rows = await persistedWhen(trial.id, 50, () => true);
    expect(rows.map((r) => [r.id, r.seq, r.status, r.user_id])).toEqual(
      bySeq.map((a) => [a.id, a.seq, a.status, a.userId]),
    );
    await waitFor(
      async () => {
        const [t] = await sql("SELECT status, closed_reason FROM trials WHERE id = $1", [trial.id]);
        return t?.status === "CLOSED" && t.closed_reason === "FULL" ? t : undefined;
      },
      { what: "the FULL status in Postgres" },
    );

    // The owner's list is the ledger in seq order.
    const list = await api("GET", `/v1/trials/${trial.id}/applications?limit=100`, {
      token: company.token,
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { seq: number }) => a.seq)).toEqual(bySeq.map((a) => a.seq));
  });

  it("gives 20 concurrent repeats by one member one application and one place", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 5 });
    const member = await createUser("MEMBER");

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => apply(trial.id, member.token, i % baseUrls.length)),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);

    const detail = await api("GET", `/v1/trials/${trial.id}`);
    expect(detail.body).toMatchObject({ won: 1, applicants: 1, remaining: 4 });
    await persistedWhen(trial.id, 1, (rows) => rows[0]?.status === "WON");
  });
});

describe("applications: withdrawal and promotion", () => {
  it("gives a withdrawn WON place to the head of the waitlist and moves the waitlist up", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 2 });
    const [winner, second, third] = await createUsers("MEMBER", 3);
    if (!winner || !second || !third) throw new Error("fixtures");
    for (const m of [winner, second, third])
      expect((await apply(trial.id, m.token)).status).toBe(201);

    const withdrawn = await api("DELETE", `/v1/trials/${trial.id}/applications/me`, {
      token: winner.token,
      server: 1,
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe("CANCELLED");

    const mine = (token: string) =>
      api("GET", `/v1/trials/${trial.id}/applications/me`, { token }).then((r) => r.body);
    expect(await mine(second.token)).toMatchObject({ status: "WON", position: null, seq: 2 });
    expect(await mine(third.token)).toMatchObject({ status: "WAITLISTED", position: 1, seq: 3 });

    // Applying again after withdrawing returns the cancelled application: no second place.
    const again = await apply(trial.id, winner.token);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: withdrawn.body.id, status: "CANCELLED", seq: 1 });

    await persistedWhen(
      trial.id,
      3,
      (rows) => rows.map((r) => r.status).join() === "CANCELLED,WON,WAITLISTED",
    );
  });

  it("reopens a FULL trial when a place is freed and nobody is waiting", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const [first, next] = await createUsers("MEMBER", 2);
    if (!first || !next) throw new Error("fixtures");
    expect((await apply(trial.id, first.token)).status).toBe(201);
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({
      status: "CLOSED",
      closedReason: "FULL",
    });
    expect(
      (await api("DELETE", `/v1/trials/${trial.id}/applications/me`, { token: first.token }))
        .status,
    ).toBe(200);
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({
      status: "OPEN",
      closedReason: null,
      remaining: 1,
    });
    const res = await apply(trial.id, next.token, 1);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "WON", seq: 2 });
  });

  it("answers 404 APPLICATION_NOT_FOUND to a member who never applied", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    for (const method of ["GET", "DELETE"]) {
      const res = await api(method, `/v1/trials/${trial.id}/applications/me`, {
        token: member.token,
      });
      expect(res.status).toBe(404);
      expect(errorCode(res)).toBe("APPLICATION_NOT_FOUND");
    }
  });
});

describe("applications: who may apply, and when", () => {
  it("refuses a trial that has not opened yet with 409 TRIAL_NOT_OPEN", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, {
      opensAt: new Date(Date.now() + 3_600_000),
      closesAt: new Date(Date.now() + 7_200_000),
    });
    const member = await createUser("MEMBER");
    const res = await apply(trial.id, member.token);
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe("TRIAL_NOT_OPEN");
  });

  it("refuses companies and admins (403), anonymous callers (401) and unknown trials (404)", async () => {
    const company = await createUser("COMPANY");
    const admin = await createUser("ADMIN");
    const member = await createUser("MEMBER");
    const trial = await createTrial(company);
    for (const caller of [company, admin]) {
      const res = await apply(trial.id, caller.token);
      expect(res.status).toBe(403);
      expect(errorCode(res)).toBe("FORBIDDEN");
    }
    const anonymous = await api("POST", `/v1/trials/${trial.id}/applications`, { body: {} });
    expect(anonymous.status).toBe(401);
    const unknown = await apply(crypto.randomUUID(), member.token);
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe("TRIAL_NOT_FOUND");
    const badNote = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: member.token,
      body: { note: "x".repeat(501) },
    });
    expect(badNote.status).toBe(400);
    expect(errorCode(badNote)).toBe("VALIDATION_FAILED");
  });

  it("lists a member's own applications newest first, filtered by status", async () => {
    const company = await createUser("COMPANY");
    const [full, open] = [
      await createTrial(company, { slots: 1 }),
      await createTrial(company, { slots: 1, waitlistSize: 1 }),
    ];
    const [holder, member] = await createUsers("MEMBER", 2);
    if (!holder || !member) throw new Error("fixtures");
    await apply(open.id, holder.token);
    const first: ApiResponse = await apply(full.id, member.token);
    const second: ApiResponse = await apply(open.id, member.token);
    expect([first.body.status, second.body.status]).toEqual(["WON", "WAITLISTED"]);

    // The member's list is read from Postgres: it shows both once they are persisted.
    const list = await waitFor(
      async () => {
        const res = await api("GET", "/v1/me/applications", { token: member.token });
        return res.status !== 200 || res.body.items.length >= 2 ? res : undefined;
      },
      { what: "both applications in the member's list" },
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([
      second.body.id,
      first.body.id,
    ]);
    const waiting = await api("GET", "/v1/me/applications?status=WAITLISTED", {
      token: member.token,
    });
    expect(waiting.body.items.map((a: { id: string }) => a.id)).toEqual([second.body.id]);
    const forCompany = await api("GET", "/v1/me/applications", { token: company.token });
    expect(forCompany.status).toBe(403);
  });
});
