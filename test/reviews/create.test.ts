import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { reviews } from "../../db/schema";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import {
  apply,
  goodReview,
  postReview,
  REVIEW_KEYS,
  review,
  withdraw,
} from "../support/workerd/reviews";

describe("POST /v1/trials/:id/reviews", () => {
  it("a WON member reviews the trial; trial, product and author come from the server", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    await apply(trial.id, member);

    const res = await postReview(trial.id, member, {
      rating: 5,
      title: "  Loved it  ",
      body: "Would buy again.",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      trialId: trial.id,
      productId: trial.productId,
      userId: member.id,
      rating: 5,
      title: "Loved it",
      body: "Would buy again.",
    });
    expect(Object.keys(res.body).sort()).toEqual(REVIEW_KEYS);
    const stored = await withDb((db) =>
      db.select().from(reviews).where(eq(reviews.id, res.body.id)),
    );
    expect(stored).toHaveLength(1);
  });

  it("ignores an author named in the body: the author is always the caller", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const [member, other] = await createUsers("MEMBER", 2);
    if (!member || !other) throw new Error("no members");
    await apply(trial.id, member);

    const created = await review(trial.id, member, { ...goodReview, userId: other.id });
    expect(created.userId).toBe(member.id);
    const list = await api("GET", `/v1/trials/${trial.id}/reviews`);
    expect(list.body.items.map((r: { userId: string }) => r.userId)).toEqual([member.id]);
  });

  it("a member promoted from the waitlist may review; the member who cancelled may not", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 1 });
    const [a, b] = await createUsers("MEMBER", 2);
    if (!a || !b) throw new Error("no members");
    expect((await apply(trial.id, a)).status).toBe("WON");
    expect((await apply(trial.id, b)).status).toBe("WAITLISTED");

    const waiting = await postReview(trial.id, b);
    expect([waiting.status, errorCode(waiting)]).toEqual([403, "NOT_A_WINNER"]);

    expect((await withdraw(trial.id, a)).status).toBe(200);
    const promoted = await postReview(trial.id, b);
    expect(promoted.status).toBe(201);
    expect(promoted.body.userId).toBe(b.id);

    const cancelled = await postReview(trial.id, a);
    expect([cancelled.status, errorCode(cancelled)]).toEqual([403, "NOT_A_WINNER"]);
  });

  it("refuses WAITLISTED, CANCELLED and never-applied members with 403 NOT_A_WINNER", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1, waitlistSize: 5 });
    const [winner, waiting, quitter, stranger] = await createUsers("MEMBER", 4);
    if (!winner || !waiting || !quitter || !stranger) throw new Error("no members");
    await apply(trial.id, winner);
    await apply(trial.id, waiting);
    await apply(trial.id, quitter);
    expect((await withdraw(trial.id, quitter)).body.status).toBe("CANCELLED");

    for (const member of [waiting, quitter, stranger]) {
      const res = await postReview(trial.id, member);
      expect([res.status, errorCode(res)]).toEqual([403, "NOT_A_WINNER"]);
    }
    const count = await withDb((db) =>
      db.select().from(reviews).where(eq(reviews.trialId, trial.id)),
    );
    expect(count).toHaveLength(0);
  });

  it("refuses a COMPANY (403 FORBIDDEN) and answers 404 for an unknown trial", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const byCompany = await postReview(trial.id, company);
    expect([byCompany.status, errorCode(byCompany)]).toEqual([403, "FORBIDDEN"]);

    const member = await createUser("MEMBER");
    const unknown = await postReview(crypto.randomUUID(), member);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "TRIAL_NOT_FOUND"]);
    const badId = await postReview("not-a-uuid", member);
    expect([badId.status, errorCode(badId)]).toEqual([400, "VALIDATION_FAILED"]);
  });

  it("a second review of the same application is 409 REVIEW_EXISTS", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    await apply(trial.id, member);
    await review(trial.id, member);
    const again = await postReview(trial.id, member, { ...goodReview, rating: 1 });
    expect([again.status, errorCode(again)]).toEqual([409, "REVIEW_EXISTS"]);
  });

  it("concurrent submits of one member give exactly one 201 and 409 for the rest", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    await apply(trial.id, member);

    const results = await Promise.all(
      Array.from({ length: 5 }, () => postReview(trial.id, member)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(errorCode(r)).toBe("REVIEW_EXISTS");
    }
    const stored = await withDb((db) =>
      db.select().from(reviews).where(eq(reviews.trialId, trial.id)),
    );
    expect(stored).toHaveLength(1);
  });

  it("validates rating, title and body with 400 VALIDATION_FAILED", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    await apply(trial.id, member);

    const bad: [string, unknown][] = [
      ["rating", { ...goodReview, rating: 0 }],
      ["rating", { ...goodReview, rating: 6 }],
      ["rating", { ...goodReview, rating: 2.5 }],
      ["rating", { ...goodReview, rating: "5" }],
      ["rating", { title: goodReview.title, body: goodReview.body }],
      ["title", { ...goodReview, title: "" }],
      ["title", { ...goodReview, title: "   " }],
      ["title", { ...goodReview, title: "x".repeat(101) }],
      ["body", { ...goodReview, body: "" }],
      ["body", { ...goodReview, body: "x".repeat(5001) }],
    ];
    for (const [field, body] of bad) {
      const res = await postReview(trial.id, member, body);
      expect([res.status, errorCode(res)], JSON.stringify(body).slice(0, 80)).toEqual([
        400,
        "VALIDATION_FAILED",
      ]);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    // The limits themselves are accepted, and nothing was stored by the refused attempts.
    const edge = await review(trial.id, member, {
      rating: 1,
      title: "x".repeat(100),
      body: "y".repeat(5000),
    });
    expect(edge.title).toHaveLength(100);
  });
});
