import { describe, expect, it } from "vitest";
import { createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import {
  createMember,
  deliverNotifications,
  freshSlackId,
  pendingNotification,
  scriptSlack,
} from "../support/workerd/notifications";

describe("GET /v1/me/notifications", () => {
  it("lists only the caller's own notifications, newest first, with status and attempts", async () => {
    const slackId = freshSlackId();
    const member = await createMember(slackId);
    const first = await pendingNotification(member, "WAITLISTED");
    const second = await pendingNotification(member, "PROMOTED");
    const someoneElse = await pendingNotification(await createMember(null), "WON");
    await scriptSlack(slackId, [{ status: 500 }]);
    await deliverNotifications([first.id]); // 500: stays PENDING after one attempt

    const res = await api("GET", "/v1/me/notifications", { token: member.token });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items).toEqual([
      {
        id: second.id,
        kind: "PROMOTED",
        applicationId: second.applicationId,
        status: "PENDING",
        attempts: 0,
        sentAt: null,
      },
      {
        id: first.id,
        kind: "WAITLISTED",
        applicationId: first.applicationId,
        status: "PENDING",
        attempts: 1,
        sentAt: null,
      },
    ]);
    expect(res.body.items.map((n: { id: string }) => n.id)).not.toContain(someoneElse.id);

    await deliverNotifications([first.id], { attempts: 2 });
    const after = await api("GET", "/v1/me/notifications", { token: member.token });
    const sent = after.body.items.find((n: { id: string }) => n.id === first.id);
    expect(sent).toMatchObject({ status: "SENT", attempts: 2 });
    expect(Date.parse(sent.sentAt)).not.toBeNaN();
  });

  it("pages with an opaque cursor and refuses a forged one", async () => {
    const member = await createMember(null);
    const rows = [];
    for (const kind of ["WON", "CANCELLED", "TRIAL_CANCELLED"] as const) {
      rows.push(await pendingNotification(member, kind));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await api("GET", `/v1/me/notifications${query}`, { token: member.token });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((n: { id: string }) => n.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(rows.map((r) => r.id).reverse());

    const forged = await api("GET", "/v1/me/notifications?cursor=bm90LWEtY3Vyc29y", {
      token: member.token,
    });
    expect(forged.status).toBe(400);
    expect(errorCode(forged)).toBe("VALIDATION_FAILED");
    const tooMany = await api("GET", "/v1/me/notifications?limit=1000", { token: member.token });
    expect(tooMany.status).toBe(400);
  });

  it("needs a signed-in caller of any role", async () => {
    expect((await api("GET", "/v1/me/notifications")).status).toBe(401);
    const company = await createUser("COMPANY");
    const res = await api("GET", "/v1/me/notifications", { token: company.token });
    expect(res).toMatchObject({ status: 200, body: { items: [], nextCursor: null } });
  });
});
