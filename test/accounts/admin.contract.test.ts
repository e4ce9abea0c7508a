import { describe, expect, it } from "vitest";
import {
  expectUserShape,
  freshEmail,
  grantAdmin,
  logIn,
  signedIn,
  signUp,
} from "../support/contract/accounts";
import { api, errorCode } from "../support/contract/client";
import { createUser, sql } from "../support/contract/fixtures";

/** ADMIN over HTTP: granted only by an operator's command, and the admin list of users. */

describe("ADMIN: only by an operator's action", () => {
  it("a sign-up is never ADMIN, not even with the address ADMIN_EMAILS used to promote", async () => {
    // root@tryit.test was this suite's ADMIN_EMAILS: whoever signed it up first became ADMIN.
    const res = await signUp({ email: "root@tryit.test" });
    expect(res.status).toBe(201);
    expect(res.body.role).toBe("MEMBER");
    const [stored] = await sql("SELECT role FROM users WHERE id = $1", [res.body.id]);
    expect(stored.role).toBe("MEMBER");
  });

  it("npm run admin:grant makes an existing account ADMIN, by e-mail or by account id", async () => {
    const byEmail = await signedIn();
    const byId = await signedIn();
    for (const account of [byEmail, byId]) {
      const before = await api("GET", "/v1/admin/users", { token: account.accessToken });
      expect(before.status).toBe(403);
    }
    await grantAdmin(byEmail.email.toUpperCase());
    await grantAdmin(byId.id);
    for (const account of [byEmail, byId]) {
      // The token the account already holds: the role is read from the stored account.
      const after = await api("GET", "/v1/admin/users", { token: account.accessToken });
      expect(after.status).toBe(200);
      expect((await logIn(account.email)).status).toBe(200);
      const me = await api("GET", "/v1/users/me", { token: account.accessToken });
      expect(me.body.role).toBe("ADMIN");
    }
    // An address nobody has is refused, and nothing is created for it.
    const unknown = freshEmail("nobody");
    await expect(grantAdmin(unknown)).rejects.toThrow(/no live account/);
    expect(await sql("SELECT 1 FROM users WHERE email = $1", [unknown])).toEqual([]);
  });
});

describe("GET /v1/admin/users", () => {
  it("lists users for an ADMIN, filtered by q and paged by limit and cursor", async () => {
    const admin = await createUser("ADMIN");
    const tag = `pager${crypto.randomUUID().slice(0, 8)}`;
    const emails: string[] = [];
    for (let i = 0; i < 3; i++) {
      const email = freshEmail(tag);
      expect((await signUp({ email })).status).toBe(201);
      emails.push(email);
    }
    const first = await api("GET", `/v1/admin/users?q=${tag}&limit=2`, { token: admin.token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(typeof first.body.nextCursor).toBe("string");
    for (const user of first.body.items) expectUserShape(user);

    const cursor = encodeURIComponent(first.body.nextCursor);
    const second = await api("GET", `/v1/admin/users?q=${tag}&limit=2&cursor=${cursor}`, {
      token: admin.token,
    });
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const seen = [...first.body.items, ...second.body.items].map((u) => u.email);
    expect(seen.sort()).toEqual([...emails].sort());
  });

  it("filters by role", async () => {
    const admin = await createUser("ADMIN");
    const tag = `roles${crypto.randomUUID().slice(0, 8)}`;
    const company = await signUp({ email: freshEmail(tag), role: "COMPANY" });
    expect((await signUp({ email: freshEmail(tag), role: "MEMBER" })).status).toBe(201);
    const res = await api("GET", `/v1/admin/users?q=${tag}&role=COMPANY`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((u: { id: string }) => u.id)).toEqual([company.body.id]);
    expect(res.body.nextCursor).toBeNull();
  });

  it("is 403 for a MEMBER and 401 without a token", async () => {
    const member = await createUser("MEMBER");
    const forbidden = await api("GET", "/v1/admin/users", { token: member.token });
    expect(forbidden.status).toBe(403);
    expect(errorCode(forbidden)).toBe("FORBIDDEN");
    const anonymous = await api("GET", "/v1/admin/users");
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe("UNAUTHORIZED");
  });
});
