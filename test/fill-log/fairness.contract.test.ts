import { beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, api, errorCode, target } from "../support/contract/client";
import {
  createProduct,
  createUser,
  createUsers,
  type TestUser,
} from "../support/contract/fixtures";
import {
  apply,
  chainHolds,
  createFairTrial,
  drawnLog,
  type Entry,
  outcomesByRank,
  ranking,
  readLog,
  settledApplications,
  sha256,
  until,
} from "./fairness-support";

/**
 * Fairness modes end to end (API.md "Receipts and the public fill log"): a shuffle-at-open
 * trial under a concurrent flood and a draw trial, drawn by the gate's own clock (the Durable
 * Object's alarm; on Deno KV, the first decision or read after the window's end, or the
 * minute cron), checked against a ranking recomputed here from the published seed and log.
 */

/** How long after its time an alarm-made draw may take on wrangler dev. */
const ALARM_SLACK_MS = 1_500;

describe("shuffle-at-open under a 220-member flood", () => {
  const SLOTS = 20;
  const WAITLIST = 30;
  const SHUFFLE_SECONDS = 3;
  let owner: TestUser;
  let members: TestUser[];
  let trial: { id: string; seedCommitment: string };
  let opensAt: number;
  let windowEnd: number;
  let answers: ApiResponse[];

  beforeAll(async () => {
    owner = await createUser("COMPANY");
    members = await createUsers("MEMBER", 221);
    opensAt = Date.now() + 1_500;
    windowEnd = opensAt + SHUFFLE_SECONDS * 1000;
    trial = await createFairTrial(owner, {
      slots: SLOTS,
      waitlistSize: WAITLIST,
      opensAt,
      closesAt: opensAt + 3_600_000,
      ordering: "shuffle-at-open",
      shuffleSeconds: SHUFFLE_SECONDS,
    });
    await until(opensAt);
    // 220 at once, each member twice: one application per member whatever arrives first.
    const flood = members.slice(0, 220);
    answers = await Promise.all([...flood, ...flood].map((m, i) => apply(trial.id, m, i)));
  }, 120_000);

  it("answers PENDING inside the window, and one application per member", () => {
    const created = answers.filter((a) => a.status === 201 || a.status === 200);
    const byUser = new Map<string, string>();
    for (const a of created) {
      const { userId, id } = a.body as { userId: string; id: string };
      if (byUser.has(userId)) expect(byUser.get(userId)).toBe(id);
      byUser.set(userId, id);
    }
    for (const a of answers) {
      if (a.status === 409) expect(errorCode(a)).toBe("TRIAL_CLOSED");
      else expect([200, 201]).toContain(a.status);
    }
    const pending = created.filter((a) => a.body.status === "PENDING");
    expect(pending.length).toBeGreaterThan(0);
    for (const a of pending) {
      expect(Date.parse(a.body.decidedAt as string)).toBeLessThan(windowEnd);
      expect(a.body.position).toBeNull();
    }
  });

  it("draws by the gate's clock: DRAWN entries in the ranking recomputed from seed and log", async () => {
    // No read of this trial until well after the window: only the gate's own clock can draw.
    if (target === "workers") await until(windowEnd + 2 * ALARM_SLACK_MS);
    const entrants = (await readLog(trial.id)).filter(
      (e) => e.kind === "APPLIED" && e.outcome === "PENDING",
    ).length;
    const log = await drawnLog(trial.id, entrants);
    expect(chainHolds(log)).toBe(true);
    const drawn = log.filter((e) => e.kind === "DRAWN");
    const first = log.indexOf(drawn[0] as Entry);
    // Every PENDING entry before the draw, all DRAWN entries in one run, strict ones after.
    expect(log.slice(0, first).every((e) => e.outcome === "PENDING")).toBe(true);
    expect(log.slice(first, first + drawn.length).every((e) => e.kind === "DRAWN")).toBe(true);
    for (const e of log.slice(first + drawn.length)) expect(e.outcome).not.toBe("PENDING");
    if (target === "workers") expect(drawn[0]?.at).toBeLessThan(windowEnd + ALARM_SLACK_MS);

    const seed = (await api("GET", `/v1/trials/${trial.id}`)).body.seed as string;
    expect(sha256(seed)).toBe(trial.seedCommitment);
    const pendingIds = log.slice(0, first).map((e) => e.applicationId);
    const ranked = ranking(seed, drawn[0]?.prevHash as string, pendingIds);
    expect(drawn.map((e) => e.applicationId)).toEqual(ranked);
    expect(drawn.map((e) => e.outcome)).toEqual(outcomesByRank(drawn.length, SLOTS, WAITLIST));
    // Each DRAWN entry carries its entrant's arrival seq.
    const seqOf = new Map(log.slice(0, first).map((e) => [e.applicationId, e.seq]));
    for (const e of drawn) expect(e.seq).toBe(seqOf.get(e.applicationId));
  });

  it("keeps exactly `slots` WON and at most `waitlistSize` WAITLISTED, as persisted", async () => {
    const admitted = new Set(
      answers.filter((a) => a.status !== 409).map((a) => a.body.id as string),
    ).size;
    const apps = await settledApplications(owner, trial.id, admitted);
    expect(new Set(apps.map((a) => a.userId)).size).toBe(apps.length);
    expect(apps.filter((a) => a.status === "WON")).toHaveLength(SLOTS);
    expect(apps.filter((a) => a.status === "WAITLISTED").length).toBeLessThanOrEqual(WAITLIST);
    const log = await readLog(trial.id);
    const last = new Map(log.map((e) => [e.applicationId, e.outcome]));
    for (const a of apps) expect(a.status).toBe(last.get(a.id));
  });

  it("decides a later arrival strictly first-come behind the drawn", async () => {
    const live = (await api("GET", `/v1/trials/${trial.id}`)).body;
    const late = await apply(trial.id, members[220] as TestUser, 0);
    if (live.won + live.waitlisted < SLOTS + WAITLIST) {
      expect(late.status).toBe(201);
      expect(late.body.status).toBe(live.won < SLOTS ? "WON" : "WAITLISTED");
    } else {
      expect(late.status).toBe(409);
      expect(errorCode(late)).toBe("TRIAL_CLOSED");
    }
  });
});

describe("a draw trial", () => {
  const SLOTS = 3;
  const WAITLIST = 2;
  let owner: TestUser;
  let members: TestUser[];
  let trial: { id: string; seedCommitment: string };
  let closesAt: number;

  beforeAll(async () => {
    owner = await createUser("COMPANY");
    members = await createUsers("MEMBER", 9);
    const opensAt = Date.now() + 500;
    closesAt = opensAt + 4_000;
    trial = await createFairTrial(owner, {
      slots: SLOTS,
      waitlistSize: WAITLIST,
      opensAt,
      closesAt,
      ordering: "draw",
    });
    await until(opensAt);
  }, 60_000);

  it("keeps every application PENDING until closesAt; one PENDING member withdraws", async () => {
    const answers = await Promise.all(members.map((m, i) => apply(trial.id, m, i)));
    expect(answers.map((a) => [a.status, a.body.status])).toEqual(
      members.map(() => [201, "PENDING"]),
    );
    const gone = await api("DELETE", `/v1/trials/${trial.id}/applications/me`, {
      token: (members[0] as TestUser).token,
    });
    expect(gone.status).toBe(200);
    expect(gone.body.status).toBe("CANCELLED");
  });

  it("draws at closesAt: the API's outcomes are the ranking recomputed from seed and log", async () => {
    if (target === "workers") await until(closesAt + 2 * ALARM_SLACK_MS);
    const log = await drawnLog(trial.id, members.length - 1);
    expect(chainHolds(log)).toBe(true);
    const drawn = log.filter((e) => e.kind === "DRAWN");
    if (target === "workers") expect(drawn[0]?.at).toBeLessThan(closesAt + ALARM_SLACK_MS);
    const withdrawn = log.find((e) => e.kind === "WITHDRAWN");
    expect(withdrawn?.outcome).toBe("CANCELLED");
    expect(drawn.some((e) => e.applicationId === withdrawn?.applicationId)).toBe(false);

    const t = (await api("GET", `/v1/trials/${trial.id}`)).body;
    expect(sha256(t.seed as string)).toBe(trial.seedCommitment);
    expect([t.status, t.closedReason]).toEqual(["CLOSED", "FULL"]);
    const entrants = log
      .filter((e) => e.kind === "APPLIED" && e.applicationId !== withdrawn?.applicationId)
      .map((e) => e.applicationId);
    const ranked = ranking(t.seed as string, drawn[0]?.prevHash as string, entrants);
    const expected = new Map(
      ranked.map((id, i) => [id, outcomesByRank(ranked.length, SLOTS, WAITLIST)[i]]),
    );
    expect(drawn.map((e) => [e.applicationId, e.outcome])).toEqual([...expected.entries()]);

    const apps = await settledApplications(owner, trial.id, members.length);
    for (const a of apps) {
      expect(a.status).toBe(a.id === withdrawn?.applicationId ? "CANCELLED" : expected.get(a.id));
    }
    const waiting = apps.filter((a) => a.status === "WAITLISTED");
    expect(waiting.map((a) => a.position).sort()).toEqual([1, 2]);
  });
});

describe("fairness terms: validation", () => {
  let owner: TestUser;
  let productId: string;
  const body = (extra: Record<string, unknown>) => ({
    productId,
    title: "Terms under test",
    description: "",
    slots: 1,
    opensAt: new Date(Date.now() + 3_600_000).toISOString(),
    closesAt: new Date(Date.now() + 7_200_000).toISOString(),
    ...extra,
  });

  beforeAll(async () => {
    owner = await createUser("COMPANY");
    productId = await createProduct(owner);
  });

  it.each([
    ["shuffleSeconds with strict", { shuffleSeconds: 5 }],
    ["shuffleSeconds with draw", { ordering: "draw", shuffleSeconds: 5 }],
    ["shuffle-at-open without shuffleSeconds", { ordering: "shuffle-at-open" }],
    ["shuffleSeconds 0", { ordering: "shuffle-at-open", shuffleSeconds: 0 }],
    ["shuffleSeconds 601", { ordering: "shuffle-at-open", shuffleSeconds: 601 }],
    ["shuffleSeconds 1.5", { ordering: "shuffle-at-open", shuffleSeconds: 1.5 }],
    ["an unknown ordering", { ordering: "lottery" }],
  ])("refuses %s with 400", async (_what, extra) => {
    const res = await api("POST", "/v1/trials", { token: owner.token, body: body(extra) });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("VALIDATION_FAILED");
  });

  it("shows ordering and a commitment without the seed; strict has neither", async () => {
    const strict = await api("POST", "/v1/trials", { token: owner.token, body: body({}) });
    expect(strict.body).toMatchObject({
      ordering: "strict",
      shuffleSeconds: null,
      seedCommitment: null,
      seed: null,
    });
    const drawn = await api("POST", "/v1/trials", {
      token: owner.token,
      body: body({ ordering: "shuffle-at-open", shuffleSeconds: 30 }),
    });
    expect(drawn.status).toBe(201);
    expect(drawn.body).toMatchObject({
      ordering: "shuffle-at-open",
      shuffleSeconds: 30,
      seed: null,
    });
    expect(drawn.body.seedCommitment).toMatch(/^[0-9a-f]{64}$/);
  });

  it("PATCH checks the terms as changed while SCHEDULED", async () => {
    const created = await api("POST", "/v1/trials", { token: owner.token, body: body({}) });
    const id = created.body.id as string;
    const patch = (b: Record<string, unknown>) =>
      api("PATCH", `/v1/trials/${id}`, { token: owner.token, body: b });
    expect((await patch({ shuffleSeconds: 5 })).status).toBe(400);
    expect((await patch({ ordering: "shuffle-at-open" })).status).toBe(400);
    const shuffled = await patch({ ordering: "shuffle-at-open", shuffleSeconds: 10 });
    expect(shuffled.status).toBe(200);
    expect(shuffled.body).toMatchObject({ ordering: "shuffle-at-open", shuffleSeconds: 10 });
    const commitment = shuffled.body.seedCommitment as string;
    expect(commitment).toMatch(/^[0-9a-f]{64}$/);
    const drawn = await patch({ ordering: "draw" });
    expect(drawn.status).toBe(200);
    // The window goes with shuffle-at-open; the gate's seed, made once, stays the same.
    expect(drawn.body).toMatchObject({
      ordering: "draw",
      shuffleSeconds: null,
      seedCommitment: commitment,
    });
    expect((await api("GET", `/v1/trials/${id}`)).body.ordering).toBe("draw");
  });
});
