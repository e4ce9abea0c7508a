import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { withDb } from "../support/workerd/db";
import { createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { freshSlackId } from "../support/workerd/notifications";

const patchMe = (token: string | undefined, body: unknown) =>
  api("PATCH", "/v1/users/me", { ...(token && { token }), body });

describe("PATCH /v1/users/me", () => {
  it("changes the name, and a Slack id only becomes pending (linked once proven); GET /me agrees", async () => {
    const user = await createUser("MEMBER");
    const slackId = freshSlackId();
    const res = await patchMe(user.token, { name: "  Grace  ", slackId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: user.id,
      email: user.email,
      name: "Grace",
      role: "MEMBER",
      slackId: null,
      pendingSlackId: slackId,
      createdAt: expect.any(String),
    });
    const me = await api("GET", "/v1/users/me", { token: user.token });
    expect(me.body).toMatchObject({ name: "Grace", slackId: null, pendingSlackId: slackId });
  });

  it("changes one field and leaves the other; null clears the Slack ids", async () => {
    const user = await createUser("COMPANY");
    const slackId = freshSlackId();
    await patchMe(user.token, { name: "Acme", slackId });

    const onlyName = await patchMe(user.token, { name: "Acme Ltd" });
    expect(onlyName.body).toMatchObject({ name: "Acme Ltd", pendingSlackId: slackId });

    const cleared = await patchMe(user.token, { slackId: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ name: "Acme Ltd", slackId: null, pendingSlackId: null });
    const [row] = await withDb((db) => db.select().from(users).where(eq(users.id, user.id)));
    expect([row?.slackId, row?.pendingSlackId, row?.slackCodeHash]).toEqual([null, null, null]);
    expect(row!.updatedAt.getTime()).toBeGreaterThan(row!.createdAt.getTime());
  });

  it("400 for a body that changes nothing (empty, or only unknown fields)", async () => {
    const user = await createUser("MEMBER");
    for (const body of [{}, { nickname: "x" }]) {
      const res = await patchMe(user.token, body);
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
    }
  });

  it("400 with the sign-up rules: empty or long name, a bad Slack id", async () => {
    const user = await createUser("MEMBER");
    const cases: [unknown, string][] = [
      [{ name: "   " }, "name"],
      [{ name: "x".repeat(51) }, "name"],
      [{ name: 7 }, "name"],
      [{ slackId: "not-slack" }, "slackId"],
    ];
    for (const [body, path] of cases) {
      const res = await patchMe(user.token, body);
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe("VALIDATION_FAILED");
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([path]);
    }
  });

  it("cannot change the role or the e-mail (fields outside the schema are ignored)", async () => {
    const user = await createUser("MEMBER");
    const res = await patchMe(user.token, { name: "Mallory", role: "ADMIN", email: "x@y.z" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "Mallory", role: "MEMBER", email: user.email });
  });

  it("401 without a token", async () => {
    const res = await patchMe(undefined, { name: "Nobody" });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("UNAUTHORIZED");
  });
});
