import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { reviews } from "../../db/schema";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser, createUsers, type TestUser } from "../support/workerd/fixtures";
import { errorCode } from "../support/workerd/http";
import {
  apply,
  patchReview as patch,
  deleteReview as remove,
  review,
} from "../support/workerd/reviews";

let trialId: string;
let author: TestUser;
let other: TestUser;
let admin: TestUser;
let company: TestUser;

const storedReview = async (id: string) =>
  (await withDb((db) => db.select().from(reviews).where(eq(reviews.id, id))))[0];

describe("PATCH and DELETE /v1/reviews/:id", () => {
  beforeAll(async () => {
    company = await createUser("COMPANY");
    admin = await createUser("ADMIN");
    const [a, b] = await createUsers("MEMBER", 2);
    if (!a || !b) throw new Error("no members");
    [author, other] = [a, b];
    const trial = await createTrial(company, { slots: 2 });
    trialId = trial.id;
    await apply(trialId, author);
    // `other` won too, so the refusal below is about authorship, not about winning.
    await apply(trialId, other);
  });

  it("the author changes some fields; the others and the author stay as they were", async () => {
    const created = await review(trialId, author);
    const res = await patch(created.id, author, { rating: 2, title: "  Changed my mind " });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      userId: author.id,
      rating: 2,
      title: "Changed my mind",
      body: created.body,
      createdAt: created.createdAt,
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    expect((await storedReview(created.id))?.rating).toBe(2);
  });

  it("another member gets 403 NOT_THE_OWNER for PATCH and DELETE and changes nothing", async () => {
    const created = await review(trialId, other);
    const byAuthorOfAnother = await patch(created.id, author, { rating: 1 });
    expect([byAuthorOfAnother.status, errorCode(byAuthorOfAnother)]).toEqual([
      403,
      "NOT_THE_OWNER",
    ]);
    const del = await remove(created.id, author);
    expect([del.status, errorCode(del)]).toEqual([403, "NOT_THE_OWNER"]);
    expect((await storedReview(created.id))?.rating).toBe(created.rating);

    const byCompany = await patch(created.id, company, { rating: 1 });
    expect([byCompany.status, errorCode(byCompany)]).toEqual([403, "FORBIDDEN"]);

    // Clean up for the other tests of this file: the author deletes it.
    expect((await remove(created.id, other)).status).toBe(204);
  });

  it("an ADMIN edits and deletes someone else's review", async () => {
    const created = await review(trialId, other);
    const edited = await patch(created.id, admin, { body: "Edited by moderation." });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ userId: other.id, body: "Edited by moderation." });

    const del = await remove(created.id, admin);
    expect(del.status).toBe(204);
    expect(await storedReview(created.id)).toBeUndefined();
    const again = await remove(created.id, admin);
    expect([again.status, errorCode(again)]).toEqual([404, "REVIEW_NOT_FOUND"]);
  });

  it("the author deletes their own review (hard delete) and may then review again", async () => {
    const created = await review(trialId, other);
    expect((await remove(created.id, other)).status).toBe(204);
    expect(await storedReview(created.id)).toBeUndefined();
    const fresh = await review(trialId, other);
    expect(fresh.id).not.toBe(created.id);
    expect((await remove(fresh.id, other)).status).toBe(204);
  });

  it("400 for an empty or invalid patch and a bad id; 404 for an unknown review", async () => {
    const [mine] = await withDb((db) =>
      db.select().from(reviews).where(eq(reviews.userId, author.id)),
    );
    if (!mine) throw new Error("the first test's review is gone");
    for (const body of [{}, { rating: 0 }, { rating: "3" }, { title: "" }, { body: "" }]) {
      const res = await patch(mine.id, author, body);
      expect([res.status, errorCode(res)], JSON.stringify(body)).toEqual([
        400,
        "VALIDATION_FAILED",
      ]);
    }
    const badId = await patch("nope", author, { rating: 3 });
    expect([badId.status, errorCode(badId)]).toEqual([400, "VALIDATION_FAILED"]);
    const badDelete = await remove("nope", author);
    expect([badDelete.status, errorCode(badDelete)]).toEqual([400, "VALIDATION_FAILED"]);

    const unknown = await patch(crypto.randomUUID(), author, { rating: 3 });
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "REVIEW_NOT_FOUND"]);
    const unknownDelete = await remove(crypto.randomUUID(), admin);
    expect([unknownDelete.status, errorCode(unknownDelete)]).toEqual([404, "REVIEW_NOT_FOUND"]);
  });
});
