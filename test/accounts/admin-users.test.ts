import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../core/vocabulary/roles";
import { users } from "../../db/schema";
import { withDb } from "../support/workerd/db";
import { createUser, type TestUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";

/**
 * The list is shared with every other test file's users, so each test searches for a marker
 * only its own rows carry.
 */
const marker = () => `mk${crypto.randomUUID().slice(0, 8)}`;

interface Seed {
  name: string;
  email: string;
  role: Role;
  /** Seconds before now, so the newest-first order is known. */
  ageSeconds?: number;
  deleted?: boolean;
}

async function seed(rows: Seed[]): Promise<string[]> {
  const values = rows.map((r) => ({
    id: crypto.randomUUID(),
    email: r.email.toLowerCase(),
    passwordHash: "not-a-login",
    name: r.name,
    role: r.role,
    createdAt: sql`now() - make_interval(secs => ${r.ageSeconds ?? 0})`,
    deletedAt: r.deleted ? new Date() : null,
  }));
  await withDb((db) => db.insert(users).values(values));
  return values.map((v) => v.id);
}

const list = (token: string, query: string) => api("GET", `/v1/admin/users?${query}`, { token });

let admin: TestUser;
beforeAll(async () => {
  admin = await createUser("ADMIN");
});

describe("GET /v1/admin/users", () => {
  it("lists live users newest first as User objects, never with a password hash", async () => {
    const m = marker();
    const [oldest, middle, newest] = await seed([
      { name: `${m} one`, email: `${m}-1@tryit.test`, role: "MEMBER", ageSeconds: 30 },
      { name: `${m} two`, email: `${m}-2@tryit.test`, role: "COMPANY", ageSeconds: 20 },
      { name: `${m} three`, email: `${m}-3@tryit.test`, role: "MEMBER", ageSeconds: 10 },
    ]);
    await seed([{ name: `${m} gone`, email: `${m}-4@tryit.test`, role: "MEMBER", deleted: true }]);

    const res = await list(admin.token, `q=${m}`);
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((u: { id: string }) => u.id)).toEqual([newest, middle, oldest]);
    expect(res.body.items[0]).toEqual({
      id: newest,
      email: `${m}-3@tryit.test`,
      name: `${m} three`,
      role: "MEMBER",
      slackId: null,
      pendingSlackId: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it("filters by role, and q matches e-mail or name case-insensitively", async () => {
    const m = marker();
    const [byName, byEmail, company] = await seed([
      {
        name: `Ada ${m.toUpperCase()}`,
        email: `ada-${crypto.randomUUID()}@tryit.test`,
        role: "MEMBER",
      },
      { name: "Bob", email: `${m}@tryit.test`, role: "MEMBER" },
      { name: `Corp ${m}`, email: `corp-${crypto.randomUUID()}@tryit.test`, role: "COMPANY" },
    ]);
    const ids = (res: { body: { items: { id: string }[] } }) =>
      res.body.items.map((u) => u.id).sort();

    expect(ids(await list(admin.token, `q=${m}`))).toEqual([byName, byEmail, company].sort());
    expect(ids(await list(admin.token, `q=${m}&role=MEMBER`))).toEqual([byName, byEmail].sort());
    expect(ids(await list(admin.token, `q=${m}&role=COMPANY`))).toEqual([company]);
    expect(ids(await list(admin.token, `q=${m}&role=ADMIN`))).toEqual([]);
    expect(ids(await list(admin.token, `q=${encodeURIComponent(`ada ${m}`)}`))).toEqual([byName]);
  });

  it("treats % and _ in q as plain characters", async () => {
    const m = marker();
    const [literal] = await seed([
      { name: `${m} 50%_off`, email: `${m}-a@tryit.test`, role: "MEMBER" },
      { name: `${m} 50xxoff`, email: `${m}-b@tryit.test`, role: "MEMBER" },
      { name: `${m} 50%Zoff`, email: `${m}-c@tryit.test`, role: "MEMBER" },
    ]);
    const res = await list(admin.token, `q=${encodeURIComponent(`${m} 50%_`)}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((u: { id: string }) => u.id)).toEqual([literal]);
    const backslash = await list(admin.token, `q=${encodeURIComponent(`${m}\\`)}`);
    expect(backslash.status).toBe(200);
    expect(backslash.body.items).toEqual([]);
  });

  it("pages with a cursor through every row exactly once, ties in created_at included", async () => {
    const m = marker();
    // Two batches: rows of one INSERT share created_at, so the id must break the tie.
    const older = await seed(
      Array.from({ length: 4 }, (_, i) => ({
        name: `${m} old ${i}`,
        email: `${m}-old${i}@tryit.test`,
        role: "MEMBER" as const,
        ageSeconds: 60,
      })),
    );
    const newer = await seed(
      Array.from({ length: 3 }, (_, i) => ({
        name: `${m} new ${i}`,
        email: `${m}-new${i}@tryit.test`,
        role: "MEMBER" as const,
      })),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Awaited<ReturnType<typeof list>> = await list(
        admin.token,
        `q=${m}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((u: { id: string }) => u.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual([...[...newer].sort().reverse(), ...[...older].sort().reverse()]);
  });

  it("400 for a bad role, limit or cursor", async () => {
    for (const query of [
      "role=ROOT",
      "limit=0",
      "limit=101",
      "limit=abc",
      "cursor=garbage",
      "q=",
    ]) {
      const res = await list(admin.token, query);
      expect(res.status, query).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
    }
    const forged = btoa(JSON.stringify({ createdMs: -5, id: "x" }));
    expect((await list(admin.token, `cursor=${forged}`)).status).toBe(400);
  });

  it("403 FORBIDDEN for MEMBER and COMPANY, 401 without a token", async () => {
    for (const role of ["MEMBER", "COMPANY"] as const) {
      const user = await createUser(role);
      const res = await list(user.token, "");
      expect(res.status).toBe(403);
      expect(errorCode(res)).toBe("FORBIDDEN");
    }
    const anonymous = await api("GET", "/v1/admin/users");
    expect(anonymous.status).toBe(401);
  });

  it("follows the stored role, not the token's claim: a demoted admin is refused", async () => {
    // Demoted before its first request, so no cached copy of the old role exists yet.
    const demoted = await createUser("ADMIN");
    await withDb((db) =>
      db.update(users).set({ role: "MEMBER" }).where(sql`${users.id} = ${demoted.id}`),
    );
    const res = await list(demoted.token, "limit=1");
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe("FORBIDDEN");
  });
});
