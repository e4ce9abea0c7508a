import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { applications, strikes, users } from "../../db/schema";
import { waitFor, withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { rowsOf as persistedRows } from "../support/workerd/gate";
import { api, errorCode } from "../support/workerd/http";

// The same flood runs over HTTP in apply.contract.test.ts; this one checks another path: inside
// workerd, through SELF.fetch, with GATE_BATCHING=off (vitest.config.ts), so each application
// is its own call to the real TrialGate object (the one-at-a-time path, which `wrangler dev`
// and Deno never take with batching on).
describe("POST /v1/trials/:id/applications under a flood", () => {
  it("admits exactly 30 WON and 20 WAITLISTED out of 220 concurrent members, and persists exactly those", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 30, waitlistSize: 20 });
    const members = await createUsers("MEMBER", 220);

    // All at once: every request is in flight before the first answer is read.
    const responses = await Promise.all(
      members.map((m) =>
        api("POST", `/v1/trials/${trial.id}/applications`, { token: m.token, body: {} }),
      ),
    );

    const created = responses.filter((r) => r.status === 201).map((r) => r.body);
    const refused = responses.filter((r) => r.status !== 201);
    expect(created).toHaveLength(50);
    expect(refused).toHaveLength(170);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(errorCode(r)).toBe("TRIAL_CLOSED");
    }

    const won = created.filter((a) => a.status === "WON");
    const waitlisted = created.filter((a) => a.status === "WAITLISTED");
    expect(won).toHaveLength(30);
    expect(waitlisted).toHaveLength(20);
    // seq is gapless 1..50 and strictly first-come: the 30 lowest seqs won.
    const bySeq = [...created].sort((a, b) => a.seq - b.seq);
    expect(bySeq.map((a) => a.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(bySeq.slice(0, 30).every((a) => a.status === "WON" && a.position === null)).toBe(true);
    expect(bySeq.slice(30).map((a) => a.position)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    // one place per member
    expect(new Set(created.map((a) => a.userId)).size).toBe(50);

    const detail = await api("GET", `/v1/trials/${trial.id}`);
    expect(detail.body).toMatchObject({
      status: "CLOSED",
      closedReason: "FULL",
      won: 30,
      waitlisted: 20,
      remaining: 0,
      applicants: 50,
    });

    // Once the queue has drained: exactly those 50 rows, same ids and seqs.
    const rows = await waitFor(
      async () => {
        const r = await persistedRows(trial.id);
        return r.length >= 50 ? r : undefined;
      },
      { what: "50 persisted applications" },
    );
    expect(rows).toHaveLength(50);
    expect(rows.map((r) => [r.id, r.seq, r.status, r.userId])).toEqual(
      bySeq.map((a) => [a.id, a.seq, a.status, a.userId]),
    );
  });

  it("gives 20 concurrent repeats by one member the same application and one place", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 5 });
    const member = await createUser("MEMBER");

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        api("POST", `/v1/trials/${trial.id}/applications`, { token: member.token, body: {} }),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.every((r) => r.body.seq === 1)).toBe(true);

    const detail = await api("GET", `/v1/trials/${trial.id}`);
    expect(detail.body).toMatchObject({ won: 1, applicants: 1, remaining: 4, status: "OPEN" });

    const rows = await waitFor(async () => {
      const r = await persistedRows(trial.id);
      return r.length > 0 ? r : undefined;
    });
    expect(rows).toHaveLength(1);
  });
});

describe("applying: states, reads and rights", () => {
  it("refuses before the trial opens with TRIAL_NOT_OPEN", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, {
      opensAt: new Date(Date.now() + 3_600_000),
      closesAt: new Date(Date.now() + 7_200_000),
    });
    expect(trial.status).toBe("SCHEDULED");
    const member = await createUser("MEMBER");
    const res = await api("POST", `/v1/trials/${trial.id}/applications`, { token: member.token });
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe("TRIAL_NOT_OPEN");
  });

  it("returns 404 for a trial that does not exist", async () => {
    const member = await createUser("MEMBER");
    const res = await api("POST", `/v1/trials/${crypto.randomUUID()}/applications`, {
      token: member.token,
      body: {},
    });
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("TRIAL_NOT_FOUND");
  });

  it("refuses COMPANY and ADMIN callers with 403", async () => {
    const company = await createUser("COMPANY");
    const admin = await createUser("ADMIN");
    const trial = await createTrial(company);
    for (const caller of [company, admin]) {
      const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
        token: caller.token,
        body: {},
      });
      expect(res.status).toBe(403);
      expect(errorCode(res)).toBe("FORBIDDEN");
    }
  });

  it("keeps the note and serves the caller's own application from the gate", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 2 });
    const [first, second, outsider] = await createUsers("MEMBER", 3);
    await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: first!.token,
      body: { note: " hi " },
    });
    const applied = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: second!.token,
    });
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ status: "WAITLISTED", position: 1, seq: 2, note: null });

    const mine = await api("GET", `/v1/trials/${trial.id}/applications/me`, {
      token: first!.token,
    });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      status: "WON",
      seq: 1,
      note: "hi",
      userId: first!.id,
      position: null,
    });
    expect(new Date(mine.body.appliedAt).toISOString()).toBe(mine.body.appliedAt);

    const none = await api("GET", `/v1/trials/${trial.id}/applications/me`, {
      token: outsider!.token,
    });
    expect(none.status).toBe(404);
    expect(errorCode(none)).toBe("APPLICATION_NOT_FOUND");
  });

  it("refuses a deleted account's unexpired token, from the revocation list and not Postgres", async () => {
    // docs/decisions/0024: the deletion publishes a revocation; the apply route checks this
    // isolate's copy of the list before the gate (test/accounts/delete.test.ts: no place taken).
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 5 });
    const member = await createUser("MEMBER");
    expect((await api("DELETE", "/v1/users/me", { token: member.token })).status).toBe(204);
    const res = await api("POST", `/v1/trials/${trial.id}/applications`, { token: member.token });
    expect([res.status, errorCode(res)]).toEqual([401, "TOKEN_EXPIRED"]);
    // Every other route looks the caller up: the same token is refused there.
    const mine = await api("GET", `/v1/trials/${trial.id}/applications/me`, {
      token: member.token,
    });
    expect([mine.status, errorCode(mine)]).toEqual([401, "UNAUTHORIZED"]);
  });

  it("reads no Postgres: an account soft-deleted behind the API's back still applies", async () => {
    // The other side of the same design: only a revocation published by the API reaches the
    // hot path; a row changed by hand is seen by the routes that look the account up.
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 5 });
    const member = await createUser("MEMBER");
    await withDb((db) =>
      db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, member.id)),
    );
    const res = await api("POST", `/v1/trials/${trial.id}/applications`, { token: member.token });
    expect(res.status).toBe(201);
  });

  it("reads no Postgres for the restriction either: two strikes written behind the API's back do not refuse a token issued before them", async () => {
    // The restriction travels in the token (docs/decisions/0036): only a token issued after
    // the strikes (login, refresh) carries it (test/strikes/restricted-apply.test.ts).
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 5 });
    const member = await createUser("MEMBER");
    await withDb((db) =>
      db.insert(strikes).values(
        [1, 2].map((daysAgo) => ({
          userId: member.id,
          applicationId: crypto.randomUUID(),
          trialId: crypto.randomUUID(),
          at: new Date(Date.now() - daysAgo * 86_400_000),
        })),
      ),
    );
    const res = await api("POST", `/v1/trials/${trial.id}/applications`, { token: member.token });
    expect(res.status).toBe(201);
  });

  it("rejects a note over 500 characters", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: member.token,
      body: { note: "x".repeat(501) },
    });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("VALIDATION_FAILED");
    expect(res.body.error.details[0].path).toBe("note");
  });
});

describe("GET /v1/trials/:id/applications (owner list from Postgres)", () => {
  it("lists in seq order with cursor pagination and a status filter, for the owner and ADMIN only", async () => {
    const owner = await createUser("COMPANY");
    const otherCompany = await createUser("COMPANY");
    const admin = await createUser("ADMIN");
    const trial = await createTrial(owner, { slots: 3, waitlistSize: 2 });
    const members = await createUsers("MEMBER", 5);
    for (const m of members) {
      await api("POST", `/v1/trials/${trial.id}/applications`, { token: m.token });
    }
    await waitFor(async () => ((await persistedRows(trial.id)).length === 5 ? true : undefined));

    const page1 = await api("GET", `/v1/trials/${trial.id}/applications?limit=2`, {
      token: owner.token,
    });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((a: { seq: number }) => a.seq)).toEqual([1, 2]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await api(
      "GET",
      `/v1/trials/${trial.id}/applications?limit=2&cursor=${page1.body.nextCursor}`,
      { token: owner.token },
    );
    expect(page2.body.items.map((a: { seq: number }) => a.seq)).toEqual([3, 4]);
    const page3 = await api(
      "GET",
      `/v1/trials/${trial.id}/applications?limit=2&cursor=${page2.body.nextCursor}`,
      { token: owner.token },
    );
    expect(page3.body.items.map((a: { seq: number }) => a.seq)).toEqual([5]);
    expect(page3.body.nextCursor).toBeNull();

    const waitlisted = await api("GET", `/v1/trials/${trial.id}/applications?status=WAITLISTED`, {
      token: admin.token,
    });
    expect(waitlisted.status).toBe(200);
    expect(waitlisted.body.items.map((a: { position: number }) => a.position)).toEqual([1, 2]);

    const stranger = await api("GET", `/v1/trials/${trial.id}/applications`, {
      token: otherCompany.token,
    });
    expect(stranger.status).toBe(403);
    const member = await api("GET", `/v1/trials/${trial.id}/applications`, {
      token: members[0]!.token,
    });
    expect(member.status).toBe(403);
    const anonymous = await api("GET", `/v1/trials/${trial.id}/applications`);
    expect(anonymous.status).toBe(401);

    const badCursor = await api("GET", `/v1/trials/${trial.id}/applications?cursor=nonsense`, {
      token: owner.token,
    });
    expect(badCursor.status).toBe(400);
    expect(errorCode(badCursor)).toBe("VALIDATION_FAILED");
    const badLimit = await api("GET", `/v1/trials/${trial.id}/applications?limit=0`, {
      token: owner.token,
    });
    expect(badLimit.status).toBe(400);

    const rows = await withDb((db) =>
      db
        .select()
        .from(applications)
        .where(and(eq(applications.trialId, trial.id), eq(applications.status, "WON"))),
    );
    expect(rows).toHaveLength(3);
  });
});
