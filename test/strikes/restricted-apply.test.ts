import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { strikes } from "../../db/schema";
import { MAX_STALENESS_MS } from "../../workers/auth/revocations";
import { signAccessToken } from "../../workers/auth/tokens";
import { strikeRecorded } from "../../workers/strikes/restriction-change";
import { claimsOf, logIn, refresh, signUp } from "../support/workerd/accounts";
import { testConfig, withDb } from "../support/workerd/db";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { DAY_MS, recordStrike, withRestrictionDeps } from "../support/workerd/strikes";

/**
 * Two strikes restrict applying, and the apply route learns it from the access token alone
 * (claim `restrictedUntil`, docs/decisions/0036): login and refresh write it, a new
 * restriction ends the tokens that lack it.
 */

const apply = (trialId: string, token: string) =>
  api("POST", `/v1/trials/${trialId}/applications`, { token, body: {} });

async function openTrial() {
  return createTrial(await createUser("COMPANY"), { slots: 5 });
}

describe("the restriction in the access token", () => {
  it("two counted strikes: login writes restrictedUntil, and applying is 403 MEMBER_RESTRICTED with the date", async () => {
    const trial = await openTrial();
    const account = await signUp();
    await recordStrike(account.id, 40);
    const second = await recordStrike(account.id, 3);
    const session = await logIn(account);

    const claim = claimsOf(session.accessToken).restrictedUntil;
    const endMs = second.at.getTime() + 30 * DAY_MS;
    // Whole seconds like `exp`, rounded up so the restriction never ends early.
    expect(claim).toBe(Math.ceil(endMs / 1000));

    const refused = await apply(trial.id, session.accessToken);
    expect([refused.status, errorCode(refused)]).toEqual([403, "MEMBER_RESTRICTED"]);
    expect(refused.body.error.details).toEqual([
      { path: "restrictedUntil", message: new Date((claim as number) * 1000).toISOString() },
    ]);
    // Refused at the door: no place was taken.
    const mine = await api("GET", `/v1/trials/${trial.id}/applications/me`, {
      token: session.accessToken,
    });
    expect([mine.status, errorCode(mine)]).toEqual([404, "APPLICATION_NOT_FOUND"]);
  });

  it("one strike does not restrict: no claim, and the member applies", async () => {
    const trial = await openTrial();
    const account = await signUp();
    await recordStrike(account.id, 1);
    const session = await logIn(account);
    expect(claimsOf(session.accessToken)).not.toHaveProperty("restrictedUntil");
    expect((await apply(trial.id, session.accessToken)).status).toBe(201);
  });

  it("strikes lifted, or more than 180 days apart, do not restrict", async () => {
    const trial = await openTrial();
    const account = await signUp();
    await recordStrike(account.id, 200);
    await recordStrike(account.id, 10, { liftedAt: new Date() });
    await recordStrike(account.id, 5);
    const session = await logIn(account);
    expect(claimsOf(session.accessToken)).not.toHaveProperty("restrictedUntil");
    expect((await apply(trial.id, session.accessToken)).status).toBe(201);
  });

  it("reads no Postgres on apply: the token decides until it is refreshed, either way", async () => {
    const [first, second] = [await openTrial(), await openTrial()];
    const account = await signUp();
    await recordStrike(account.id, 20);
    await recordStrike(account.id, 2);
    const restricted = await logIn(account);
    // Lifted by hand, behind the API's back: the hot path does not look, the token stands.
    await withDb((db) =>
      db.update(strikes).set({ liftedAt: new Date() }).where(eq(strikes.userId, account.id)),
    );
    expect(errorCode(await apply(first.id, restricted.accessToken))).toBe("MEMBER_RESTRICTED");
    // The refresh reads Postgres: its token carries no restriction, and applies.
    const refreshed = await refresh(restricted.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(claimsOf(refreshed.body.accessToken)).not.toHaveProperty("restrictedUntil");
    expect((await apply(first.id, refreshed.body.accessToken)).status).toBe(201);

    // The other way: two strikes added by hand restrict nobody until a token carries them.
    const other = await signUp();
    const free = await logIn(other);
    await recordStrike(other.id, 9);
    await recordStrike(other.id, 1);
    expect((await apply(second.id, free.accessToken)).status).toBe(201);
  });

  it("a strike that restricts, reported by the job, ends the member's tokens; the refreshed one is refused", async () => {
    const [before, after] = [await openTrial(), await openTrial()];
    const account = await signUp();
    await recordStrike(account.id, 30);
    const session = await logIn(account);
    expect((await apply(before.id, session.accessToken)).status).toBe(201);

    const second = await recordStrike(account.id, 0);
    const until = await withRestrictionDeps((deps) => strikeRecorded(deps, account.id));
    expect(until).toBe(second.at.getTime() + 30 * DAY_MS);

    // Every isolate's copy of the revocation list has it within MAX_STALENESS_MS.
    await new Promise((r) => setTimeout(r, MAX_STALENESS_MS + 100));
    const old = await apply(after.id, session.accessToken);
    expect([old.status, errorCode(old)]).toEqual([401, "TOKEN_EXPIRED"]);
    const refreshed = await refresh(session.refreshToken);
    expect(refreshed.status).toBe(200);
    const refused = await apply(after.id, refreshed.body.accessToken);
    expect([refused.status, errorCode(refused)]).toEqual([403, "MEMBER_RESTRICTED"]);
  });

  it("a first strike reported by the job ends nothing: the member keeps their token", async () => {
    const trial = await openTrial();
    const account = await signUp();
    const session = await logIn(account);
    await recordStrike(account.id, 0);
    const until = await withRestrictionDeps((deps) => strikeRecorded(deps, account.id));
    expect(until).toBeNull();
    expect((await apply(trial.id, session.accessToken)).status).toBe(201);
  });

  it("a claim already past applies", async () => {
    const trial = await openTrial();
    const member = await createUser("MEMBER");
    const { jwtSecret } = testConfig();
    const lapsed = await signAccessToken(
      { userId: member.id, role: "MEMBER", restrictedUntilMs: Date.now() - 2000 },
      jwtSecret,
      900,
    );
    expect((await apply(trial.id, lapsed)).status).toBe(201);
  });

  it("a restricted access token sent to /auth/refresh by mistake is a 401, not a 400", async () => {
    const account = await signUp();
    await recordStrike(account.id, 20);
    await recordStrike(account.id, 2);
    const session = await logIn(account);
    expect(session.accessToken.length).toBeGreaterThan(256);
    const res = await refresh(session.accessToken);
    expect([res.status, errorCode(res)]).toEqual([401, "INVALID_REFRESH_TOKEN"]);
  });

  it("refuses a token whose restrictedUntil is not a whole number", async () => {
    const member = await createUser("MEMBER");
    const forged = await new SignJWT({ role: "MEMBER", restrictedUntil: "soon" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(member.id)
      .setIssuer("try-it")
      .setAudience("try-it-api")
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(testConfig().jwtSecret);
    const res = await api("GET", "/v1/users/me", { token: forged });
    expect([res.status, errorCode(res)]).toEqual([401, "UNAUTHORIZED"]);
  });
});
