import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { logIn, logInAs, PASSWORD, refresh, signUp, tokenRow } from "../support/workerd/accounts";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";

describe("DELETE /v1/users/me", () => {
  it("204; the access token stops working on every route, sessions end, login fails", async () => {
    const account = await signUp("COMPANY");
    const session = await logIn(account);
    const other = await logIn(account);
    // The token works before the deletion, on /me and on a company route.
    expect((await api("GET", "/v1/users/me", { token: session.accessToken })).status).toBe(200);
    const product = { name: "Kettle", description: "Boils water" };
    const before = await api("POST", "/v1/products", {
      token: session.accessToken,
      body: product,
    });
    expect(before.status).toBe(201);

    const res = await api("DELETE", "/v1/users/me", { token: session.accessToken });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();

    const me = await api("GET", "/v1/users/me", { token: session.accessToken });
    expect(me.status).toBe(401);
    expect(errorCode(me)).toBe("UNAUTHORIZED");
    const create = await api("POST", "/v1/products", {
      token: session.accessToken,
      body: product,
    });
    expect(create.status).toBe(401);
    expect(errorCode(create)).toBe("UNAUTHORIZED");
    const again = await api("DELETE", "/v1/users/me", { token: session.accessToken });
    expect(again.status).toBe(401);

    for (const s of [session, other]) {
      expect((await refresh(s.refreshToken)).status).toBe(401);
      expect((await tokenRow(s.refreshToken)).revokedAt).not.toBeNull();
    }
    const login = await logInAs(account);
    expect(login.status).toBe(401);
    expect(errorCode(login)).toBe("INVALID_CREDENTIALS");
  });

  it("is a soft delete: the row stays, and the address can sign up again", async () => {
    const account = await signUp();
    const session = await logIn(account);
    expect((await api("DELETE", "/v1/users/me", { token: session.accessToken })).status).toBe(204);
    const [row] = await withDb((db) => db.select().from(users).where(eq(users.id, account.id)));
    expect(row?.deletedAt).toBeInstanceOf(Date);

    const again = await api("POST", "/v1/auth/signup", {
      body: { email: account.email, password: PASSWORD, name: "Back again" },
      headers: { "cf-connecting-ip": account.ip },
    });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(account.id);
    // The new account's login works; the old account's token still does not.
    const newLogin = await logInAs(account);
    expect(newLogin.status).toBe(200);
    const me = await api("GET", "/v1/users/me", { token: newLogin.body.accessToken });
    expect(me.body.id).toBe(again.body.id);
    expect((await api("GET", "/v1/users/me", { token: session.accessToken })).status).toBe(401);
  });

  it("the apply hot path refuses a deleted member's unexpired token; no place is taken", async () => {
    // docs/decisions/0024: the deletion publishes a revocation that the apply route checks
    // (this isolate's copy of the list) before the gate, with no database call.
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 1 });
    const member = await signUp("MEMBER");
    const session = await logIn(member);
    const res = await api("DELETE", "/v1/users/me", { token: session.accessToken });
    expect(res.status).toBe(204);
    const apply = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: session.accessToken,
      body: {},
    });
    expect(apply.status).toBe(401);
    expect(errorCode(apply)).toBe("TOKEN_EXPIRED");
    // Every other route looks the caller up, so the same token is refused there too.
    const mine = await api("GET", `/v1/trials/${trial.id}/applications/me`, {
      token: session.accessToken,
    });
    expect(mine.status).toBe(401);

    const detail = await api("GET", `/v1/trials/${trial.id}`);
    expect(detail.body).toMatchObject({ applicants: 0, won: 0, remaining: 1 });
    // The place is the next member's, first in line.
    const [next] = await createUsers("MEMBER", 1);
    const taken = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: next!.token,
      body: {},
    });
    expect(taken.body).toMatchObject({ status: "WON", seq: 1 });
  });

  it("401 without a token", async () => {
    const res = await api("DELETE", "/v1/users/me");
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("UNAUTHORIZED");
  });
});
