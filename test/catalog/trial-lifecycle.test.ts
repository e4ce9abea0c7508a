import { runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { GateEvent } from "../../core/first-come/types";
import { trials } from "../../db/schema";
import { waitFor, withDb } from "../support/workerd/db";
import { createProduct, createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { gateOf } from "../support/workerd/gate";
import { api, errorCode } from "../support/workerd/http";

const catalogStatus = async (id: string) => {
  const [row] = await withDb((db) => db.select().from(trials).where(eq(trials.id, id)));
  return row ? `${row.status}/${row.closedReason ?? "-"}` : undefined;
};

describe("trial lifecycle by the gate's own clock", () => {
  it("moves SCHEDULED → OPEN → CLOSED in the gate and in Postgres with no call from outside", async () => {
    const company = await createUser("COMPANY");
    const start = Date.now();
    const trial = await createTrial(company, {
      opensAt: new Date(start + 2_000),
      closesAt: new Date(start + 4_000),
    });
    expect(trial.status).toBe("SCHEDULED");
    expect(await catalogStatus(trial.id)).toBe("SCHEDULED/-");

    // Nothing calls the gate or the cron below: its alarms wake it at opensAt and closesAt,
    // and its status events reach Postgres through the outbox and the queue.
    await waitFor(async () => ((await catalogStatus(trial.id)) === "OPEN/-" ? true : undefined), {
      timeoutMs: 8_000,
      what: "Postgres to show OPEN",
    });
    expect(Date.now()).toBeGreaterThanOrEqual(start + 2_000);
    await waitFor(
      async () => ((await catalogStatus(trial.id)) === "CLOSED/ENDED" ? true : undefined),
      {
        timeoutMs: 10_000,
        what: "Postgres to show CLOSED/ENDED",
      },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(start + 4_000);
    expect(await gateOf(trial.id).snapshot()).toMatchObject({
      status: "CLOSED",
      closedReason: "ENDED",
    });
    const listed = await api("GET", `/v1/trials?status=CLOSED&companyId=${company.id}`);
    expect(listed.body.items.map((t: { id: string }) => t.id)).toEqual([trial.id]);
  });

  it("writes FULL to Postgres when the last place is taken", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2 });
    const members = await createUsers("MEMBER", 2);
    await Promise.all(
      members.map((m) => api("POST", `/v1/trials/${trial.id}/applications`, { token: m.token })),
    );
    await waitFor(
      async () => ((await catalogStatus(trial.id)) === "CLOSED/FULL" ? true : undefined),
      {
        what: "Postgres to show CLOSED/FULL",
      },
    );
  });
});

describe("PATCH /v1/trials/:id", () => {
  const later = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

  it("changes a SCHEDULED trial, and the gate applies the new terms", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, {
      opensAt: new Date(later(1)),
      closesAt: new Date(later(2)),
    });
    const res = await api("PATCH", `/v1/trials/${trial.id}`, {
      token: company.token,
      body: { title: "Renamed", slots: 7, waitlistSize: 3, closesAt: later(3) },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      title: "Renamed",
      slots: 7,
      waitlistSize: 3,
      remaining: 7,
      status: "SCHEDULED",
    });
    expect(await gateOf(trial.id).snapshot()).toMatchObject({ slots: 7, waitlistSize: 3 });
    expect((await api("GET", `/v1/trials/${trial.id}`)).body).toMatchObject({
      title: "Renamed",
      slots: 7,
    });
  });

  it("opening it now makes it OPEN for applications at once", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, {
      opensAt: new Date(later(1)),
      closesAt: new Date(later(2)),
    });
    const res = await api("PATCH", `/v1/trials/${trial.id}`, {
      token: company.token,
      body: { opensAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("OPEN");
    const member = await createUser("MEMBER");
    expect(
      (await api("POST", `/v1/trials/${trial.id}/applications`, { token: member.token })).status,
    ).toBe(201);
  });

  it("409 TRIAL_ALREADY_OPEN once open; 400 for a bad schedule or an empty patch; 403 for others", async () => {
    const company = await createUser("COMPANY");
    const rival = await createUser("COMPANY");
    const open = await createTrial(company);
    const openPatch = await api("PATCH", `/v1/trials/${open.id}`, {
      token: company.token,
      body: { title: "x" },
    });
    expect(openPatch.status).toBe(409);
    expect(errorCode(openPatch)).toBe("TRIAL_ALREADY_OPEN");

    const scheduled = await createTrial(company, {
      opensAt: new Date(later(1)),
      closesAt: new Date(later(2)),
    });
    const backwards = await api("PATCH", `/v1/trials/${scheduled.id}`, {
      token: company.token,
      body: { opensAt: later(5) },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details[0].path).toBe("opensAt");
    const empty = await api("PATCH", `/v1/trials/${scheduled.id}`, {
      token: company.token,
      body: {},
    });
    expect(empty.status).toBe(400);
    const zero = await api("PATCH", `/v1/trials/${scheduled.id}`, {
      token: company.token,
      body: { slots: 0 },
    });
    expect(zero.status).toBe(400);
    const byRival = await api("PATCH", `/v1/trials/${scheduled.id}`, {
      token: rival.token,
      body: { title: "x" },
    });
    expect(byRival.status).toBe(403);
    expect(errorCode(byRival)).toBe("NOT_THE_OWNER");
  });
});

describe("POST /v1/trials/:id/cancel", () => {
  it("refuses further applications and emits TRIAL_CANCELLED for every WON and WAITLISTED applicant", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2, waitlistSize: 2 });
    const members = await createUsers("MEMBER", 4);
    for (const m of members.slice(0, 3)) {
      await api("POST", `/v1/trials/${trial.id}/applications`, { token: m.token });
    }
    const seen: GateEvent[] = [];
    await runInDurableObject(gateOf(trial.id), (gate) => {
      gate.decisionQueue = { sendBatch: async (events) => void seen.push(...events) };
    });

    const res = await api("POST", `/v1/trials/${trial.id}/cancel`, { token: company.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "CANCELLED", won: 2, waitlisted: 1 });
    await gateOf(trial.id).flushOutbox();
    const cancelled = seen.filter(
      (e) => e.type === "application" && e.outcome === "TRIAL_CANCELLED",
    );
    expect(cancelled.map((e) => (e.type === "application" ? e.application.seq : 0)).sort()).toEqual(
      [1, 2, 3],
    );
    expect(
      seen
        .filter((e) => e.type === "trial-status")
        .map((e) => e.type === "trial-status" && e.status),
    ).toEqual(["CANCELLED"]);

    const late = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: members[3]!.token,
    });
    expect(late.status).toBe(409);
    expect(errorCode(late)).toBe("TRIAL_CANCELLED");
    expect(await catalogStatus(trial.id)).toBe("CANCELLED/-");

    // Cancelling again changes nothing and tells nobody twice.
    const again = await api("POST", `/v1/trials/${trial.id}/cancel`, { token: company.token });
    expect(again.status).toBe(200);
    await gateOf(trial.id).flushOutbox();
    expect(seen.filter((e) => e.type === "application")).toHaveLength(3);
  });

  it("is for the owner or ADMIN only", async () => {
    const company = await createUser("COMPANY");
    const rival = await createUser("COMPANY");
    const admin = await createUser("ADMIN");
    const member = await createUser("MEMBER");
    const trial = await createTrial(company);
    expect(
      (await api("POST", `/v1/trials/${trial.id}/cancel`, { token: rival.token })).status,
    ).toBe(403);
    expect(
      (await api("POST", `/v1/trials/${trial.id}/cancel`, { token: member.token })).status,
    ).toBe(403);
    expect((await api("POST", `/v1/trials/${trial.id}/cancel`)).status).toBe(401);
    expect(
      (await api("POST", `/v1/trials/${crypto.randomUUID()}/cancel`, { token: admin.token }))
        .status,
    ).toBe(404);
    expect(
      (await api("POST", `/v1/trials/${trial.id}/cancel`, { token: admin.token })).status,
    ).toBe(200);
  });
});

describe("GET /v1/trials", () => {
  it("filters by status, product and company, newest first, with cursor pages and live counts", async () => {
    const company = await createUser("COMPANY");
    const productId = await createProduct(company);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api("POST", "/v1/trials", {
        token: company.token,
        body: {
          productId,
          title: `t${i}`,
          description: "",
          slots: 5,
          opensAt: new Date(Date.now() - 1000).toISOString(),
          closesAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      ids.push(res.body.id);
    }
    const member = await createUser("MEMBER");
    await api("POST", `/v1/trials/${ids[0]}/applications`, { token: member.token });

    const first = await api("GET", `/v1/trials?productId=${productId}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1]]);
    const second = await api(
      "GET",
      `/v1/trials?productId=${productId}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    expect(second.body.items[0]).toMatchObject({ won: 1, remaining: 4, applicants: 1 });
    expect(second.body.nextCursor).toBeNull();

    const open = await api("GET", `/v1/trials?companyId=${company.id}&status=OPEN&limit=100`);
    expect(open.body.items).toHaveLength(3);
    const none = await api("GET", `/v1/trials?companyId=${company.id}&status=CANCELLED`);
    expect(none.body.items).toEqual([]);
    const bad = await api("GET", "/v1/trials?status=WHATEVER");
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe("VALIDATION_FAILED");
  });
});
