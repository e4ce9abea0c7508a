import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { MAX_STALENESS_MS } from "../../workers/auth/revocations";
import * as R from "../../workers/openapi/responses";
import { claimsOf, logIn, refresh, signUp } from "../support/workerd/accounts";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { DAY_MS, recordStrike } from "../support/workerd/strikes";

/** One appeal per strike, decided by an ADMIN (API.md "After the win"). */

const appeal = (token: string, strikeId: string, reason: unknown = "The parcel never came") =>
  api("POST", `/v1/me/strikes/${strikeId}/appeal`, { token, body: { reason } });
const decide = (token: string, strikeId: string, decision: string) =>
  api("POST", `/v1/admin/appeals/${strikeId}`, { token, body: { decision } });
const apply = (trialId: string, token: string) =>
  api("POST", `/v1/trials/${trialId}/applications`, { token, body: {} });

describe("GET /v1/me/strikes", () => {
  it("lists the caller's own strikes newest first, with until when each counts, page by page", async () => {
    const member = await createUser("MEMBER");
    const other = await createUser("MEMBER");
    const oldest = await recordStrike(member.id, 30);
    const middle = await recordStrike(member.id, 20);
    const newest = await recordStrike(member.id, 10);
    await recordStrike(other.id, 5);

    const first = await api("GET", "/v1/me/strikes?limit=2", { token: member.token });
    expect(first.status).toBe(200);
    v.parse(R.StrikePage, first.body);
    expect(first.body.items.map((s: { id: string }) => s.id)).toEqual([newest.id, middle.id]);
    expect(first.body.items[0]).toEqual({
      id: newest.id,
      userId: member.id,
      trialId: newest.trialId,
      applicationId: newest.applicationId,
      at: newest.at.toISOString(),
      countsUntil: new Date(newest.at.getTime() + 180 * DAY_MS).toISOString(),
      liftedAt: null,
      appeal: null,
    });
    const second = await api("GET", `/v1/me/strikes?limit=2&cursor=${first.body.nextCursor}`, {
      token: member.token,
    });
    expect(second.body.items.map((s: { id: string }) => s.id)).toEqual([oldest.id]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("is for members only, and a forged cursor is a 400", async () => {
    const company = await createUser("COMPANY");
    const refused = await api("GET", "/v1/me/strikes", { token: company.token });
    expect([refused.status, errorCode(refused)]).toEqual([403, "FORBIDDEN"]);
    const member = await createUser("MEMBER");
    const forged = await api("GET", "/v1/me/strikes?cursor=eyJtcyI6MX0", { token: member.token });
    expect([forged.status, errorCode(forged)]).toEqual([400, "VALIDATION_FAILED"]);
  });
});

describe("POST /v1/me/strikes/:id/appeal", () => {
  it("files one appeal: 201 with it PENDING, then 409 APPEAL_EXISTS", async () => {
    const member = await createUser("MEMBER");
    const strike = await recordStrike(member.id, 3);
    const filed = await appeal(member.token, strike.id, "  The parcel never came  ");
    expect(filed.status).toBe(201);
    v.parse(R.Strike, filed.body);
    expect(filed.body).toMatchObject({
      id: strike.id,
      liftedAt: null,
      appeal: { status: "PENDING", reason: "The parcel never came", decidedAt: null },
    });
    const listed = await api("GET", "/v1/me/strikes", { token: member.token });
    expect(listed.body.items[0].appeal).toEqual(filed.body.appeal);

    const again = await appeal(member.token, strike.id, "Another reason");
    expect([again.status, errorCode(again)]).toEqual([409, "APPEAL_EXISTS"]);
    // The first appeal stands as it was.
    const after = await api("GET", "/v1/me/strikes", { token: member.token });
    expect(after.body.items[0].appeal.reason).toBe("The parcel never came");
  });

  it("answers 404 STRIKE_NOT_FOUND for another member's strike and an unknown one, changing nothing", async () => {
    const owner = await createUser("MEMBER");
    const stranger = await createUser("MEMBER");
    const strike = await recordStrike(owner.id, 1);
    const theirs = await appeal(stranger.token, strike.id);
    expect([theirs.status, errorCode(theirs)]).toEqual([404, "STRIKE_NOT_FOUND"]);
    const unknown = await appeal(stranger.token, crypto.randomUUID());
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "STRIKE_NOT_FOUND"]);
    // The owner can still appeal it: the stranger's attempt wrote nothing.
    expect((await appeal(owner.token, strike.id)).status).toBe(201);
  });

  it("refuses a reason that is empty, blank or longer than 1000 characters, and non-members", async () => {
    const member = await createUser("MEMBER");
    const strike = await recordStrike(member.id, 1);
    for (const reason of ["", "   ", "x".repeat(1001), 42]) {
      const res = await appeal(member.token, strike.id, reason);
      expect([res.status, errorCode(res)], JSON.stringify(reason)).toEqual([
        400,
        "VALIDATION_FAILED",
      ]);
      expect(res.body.error.details[0].path).toBe("reason");
    }
    expect((await appeal(member.token, strike.id, "x".repeat(1000))).status).toBe(201);
    const admin = await createUser("ADMIN");
    const res = await appeal(admin.token, strike.id);
    expect([res.status, errorCode(res)]).toEqual([403, "FORBIDDEN"]);
  });
});

describe("ADMIN: /v1/admin/appeals", () => {
  it("lists appeals oldest first by status, decides once: a second decision is 409 APPEAL_DECIDED", async () => {
    const admin = await createUser("ADMIN");
    const member = await createUser("MEMBER");
    const a = await recordStrike(member.id, 9);
    const b = await recordStrike(member.id, 8);
    const never = await recordStrike(member.id, 7);
    expect((await appeal(member.token, b.id)).status).toBe(201);
    expect((await appeal(member.token, a.id)).status).toBe(201);

    // Other files appeal too: only this member's rows are looked at.
    const mine = async (status: string) => {
      const res = await api("GET", `/v1/admin/appeals?status=${status}&limit=100`, {
        token: admin.token,
      });
      expect(res.status).toBe(200);
      v.parse(R.StrikePage, res.body);
      return res.body.items.filter((s: { userId: string }) => s.userId === member.id);
    };
    expect((await mine("PENDING")).map((s: { id: string }) => s.id)).toEqual([b.id, a.id]);

    const denied = await decide(admin.token, b.id, "DENIED");
    expect(denied.status).toBe(200);
    v.parse(R.Strike, denied.body);
    expect(denied.body).toMatchObject({ liftedAt: null, appeal: { status: "DENIED" } });
    expect(denied.body.appeal.decidedAt).toEqual(expect.any(String));
    const twice = await decide(admin.token, b.id, "GRANTED");
    expect([twice.status, errorCode(twice)]).toEqual([409, "APPEAL_DECIDED"]);

    const granted = await decide(admin.token, a.id, "GRANTED");
    expect(granted.status).toBe(200);
    expect(granted.body.appeal.status).toBe("GRANTED");
    expect(granted.body.liftedAt).toEqual(granted.body.appeal.decidedAt);

    expect((await mine("PENDING")).map((s: { id: string }) => s.id)).toEqual([]);
    expect((await mine("DENIED")).map((s: { id: string }) => s.id)).toEqual([b.id]);
    expect((await mine("GRANTED")).map((s: { id: string }) => s.id)).toEqual([a.id]);

    const unappealed = await decide(admin.token, never.id, "GRANTED");
    expect([unappealed.status, errorCode(unappealed)]).toEqual([404, "STRIKE_NOT_FOUND"]);
    const unknown = await decide(admin.token, crypto.randomUUID(), "DENIED");
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "STRIKE_NOT_FOUND"]);
    const bad = await decide(admin.token, a.id, "PENDING");
    expect([bad.status, errorCode(bad)]).toEqual([400, "VALIDATION_FAILED"]);
    const status = await api("GET", "/v1/admin/appeals?status=MAYBE", { token: admin.token });
    expect([status.status, errorCode(status)]).toEqual([400, "VALIDATION_FAILED"]);
  });
});

describe("an appeal and the restriction", () => {
  async function restrictedMember() {
    const account = await signUp();
    await recordStrike(account.id, 50);
    const second = await recordStrike(account.id, 4);
    const session = await logIn(account);
    expect(claimsOf(session.accessToken).restrictedUntil).toEqual(expect.any(Number));
    return { account, second, session };
  }

  it("a granted appeal lifts it: the member's tokens end, and after a refresh they apply again", async () => {
    const trial = await createTrial(await createUser("COMPANY"), { slots: 5 });
    const admin = await createUser("ADMIN");
    const { account, second, session } = await restrictedMember();
    expect(errorCode(await apply(trial.id, session.accessToken))).toBe("MEMBER_RESTRICTED");

    expect((await appeal(session.accessToken, second.id)).status).toBe(201);
    expect((await decide(admin.token, second.id, "GRANTED")).status).toBe(200);

    // Every isolate's copy of the revocation list has it within MAX_STALENESS_MS.
    await new Promise((r) => setTimeout(r, MAX_STALENESS_MS + 100));
    const old = await apply(trial.id, session.accessToken);
    expect([old.status, errorCode(old)]).toEqual([401, "TOKEN_EXPIRED"]);
    const refreshed = await refresh(session.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(claimsOf(refreshed.body.accessToken)).not.toHaveProperty("restrictedUntil");
    expect((await apply(trial.id, refreshed.body.accessToken)).status).toBe(201);

    const me = await api("GET", "/v1/users/me", { token: refreshed.body.accessToken });
    expect(me.body.reliability).toEqual({
      completed: 0,
      missed: 0,
      strikes: 1,
      restrictedUntil: null,
    });
    expect(me.body.id).toBe(account.id);
  });

  it("a denied appeal keeps it: the token stays, and a refreshed one is refused too", async () => {
    const trial = await createTrial(await createUser("COMPANY"), { slots: 5 });
    const admin = await createUser("ADMIN");
    const { second, session } = await restrictedMember();
    expect((await appeal(session.accessToken, second.id)).status).toBe(201);
    expect((await decide(admin.token, second.id, "DENIED")).status).toBe(200);

    await new Promise((r) => setTimeout(r, MAX_STALENESS_MS + 100));
    // Nothing changed, so nothing was revoked: the same token is still the restricted one.
    const same = await apply(trial.id, session.accessToken);
    expect([same.status, errorCode(same)]).toEqual([403, "MEMBER_RESTRICTED"]);
    const refreshed = await refresh(session.refreshToken);
    const again = await apply(trial.id, refreshed.body.accessToken);
    expect([again.status, errorCode(again)]).toEqual([403, "MEMBER_RESTRICTED"]);
    expect(again.body.error.details).toEqual([
      {
        path: "restrictedUntil",
        message: new Date(
          Math.ceil((second.at.getTime() + 30 * DAY_MS) / 1000) * 1000,
        ).toISOString(),
      },
    ]);
  });
});
