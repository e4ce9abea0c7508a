import { beforeAll, describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import {
  createTrial,
  createUser,
  createUsers,
  sql,
  type TestUser,
} from "../support/contract/fixtures";
import { REVIEW_KEYS, type Review, reviewCalls } from "../support/shared/reviews";

// API.md "Reviews": only a WON applicant reviews, once; anyone reads the lists with a summary;
// the author or an ADMIN changes or removes a review.

const { apply, postReview, review: reviewWith, patchReview, deleteReview } = reviewCalls(api);

const reviewOf = (rating: number) => ({ rating, title: `Rated ${rating}`, body: "Tried it." });

/** Posts a review with this rating that must be accepted. */
const review = (trialId: string, user: TestUser, rating: number) =>
  reviewWith(trialId, user, reviewOf(rating));

let company: TestUser;
let admin: TestUser;
/** Two winners (slots 2), one waiting (waitlist 1), one who never applied. */
let winner: TestUser;
let secondWinner: TestUser;
let waiting: TestUser;
let stranger: TestUser;
let trial: { id: string; productId: string };

beforeAll(async () => {
  [company, admin] = await Promise.all([createUser("COMPANY"), createUser("ADMIN")]);
  [winner, secondWinner, waiting, stranger] = (await createUsers("MEMBER", 4)) as [
    TestUser,
    TestUser,
    TestUser,
    TestUser,
  ];
  trial = await createTrial(company, { slots: 2, waitlistSize: 1 });
  expect((await apply(trial.id, winner)).status).toBe("WON");
  expect((await apply(trial.id, secondWinner)).status).toBe("WON");
  expect((await apply(trial.id, waiting)).status).toBe("WAITLISTED");
});

describe("POST /v1/trials/:id/reviews", () => {
  it("a WON member reviews once: 201 Review from the server's facts, then 409 REVIEW_EXISTS", async () => {
    const res = await postReview(trial.id, winner, { ...reviewOf(5), userId: stranger.id });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(REVIEW_KEYS);
    expect(res.body).toMatchObject({
      trialId: trial.id,
      productId: trial.productId,
      userId: winner.id,
      rating: 5,
      title: "Rated 5",
      body: "Tried it.",
    });
    expect(Date.parse(res.body.createdAt)).not.toBeNaN();

    const again = await postReview(trial.id, winner, reviewOf(1));
    expect([again.status, errorCode(again)]).toEqual([409, "REVIEW_EXISTS"]);
    const stored = await sql("SELECT rating FROM reviews WHERE trial_id = $1 AND user_id = $2", [
      trial.id,
      winner.id,
    ]);
    expect(stored).toEqual([{ rating: 5 }]);
  });

  it("refuses a WAITLISTED member and a member who never applied with 403 NOT_A_WINNER", async () => {
    for (const member of [waiting, stranger]) {
      const res = await postReview(trial.id, member, reviewOf(4));
      expect([res.status, errorCode(res)], member.id).toEqual([403, "NOT_A_WINNER"]);
    }
    const stored = await sql("SELECT 1 FROM reviews WHERE user_id = ANY($1::uuid[])", [
      [waiting.id, stranger.id],
    ]);
    expect(stored).toHaveLength(0);
  });

  it("400 VALIDATION_FAILED naming the field for a rating of 6; 401 without a token; 404 unknown trial", async () => {
    const bad = await postReview(trial.id, secondWinner, reviewOf(6));
    expect([bad.status, errorCode(bad)]).toEqual([400, "VALIDATION_FAILED"]);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(["rating"]);

    const anonymous = await api("POST", `/v1/trials/${trial.id}/reviews`, { body: reviewOf(4) });
    expect([anonymous.status, errorCode(anonymous)]).toEqual([401, "UNAUTHORIZED"]);

    const unknown = await postReview(crypto.randomUUID(), secondWinner, reviewOf(4));
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "TRIAL_NOT_FOUND"]);
  });
});

describe("GET /v1/trials/:id/reviews/me", () => {
  it("answers the caller's own review, 404 REVIEW_NOT_FOUND to anyone who has none, and refuses by role", async () => {
    const me = (user?: TestUser, trialId = trial.id) =>
      api("GET", `/v1/trials/${trialId}/reviews/me`, user ? { token: user.token } : {});
    // `winner` reviewed this trial above (rating 5); the list holds it among the others.
    const listed = await api("GET", `/v1/trials/${trial.id}/reviews`);
    const theirs = listed.body.items.find((r: Review) => r.userId === winner.id);
    const own = await me(winner);
    expect(own.status).toBe(200);
    expect(own.body).toEqual(theirs);
    expect(own.body).toMatchObject({ userId: winner.id, trialId: trial.id, rating: 5 });

    // Looked up by the caller: the others have none of their own on this trial.
    for (const other of [secondWinner, waiting, stranger]) {
      const res = await me(other);
      expect([res.status, errorCode(res)], other.id).toEqual([404, "REVIEW_NOT_FOUND"]);
    }
    const anonymous = await me();
    expect([anonymous.status, errorCode(anonymous)]).toEqual([401, "UNAUTHORIZED"]);
    const byCompany = await me(company);
    expect([byCompany.status, errorCode(byCompany)]).toEqual([403, "FORBIDDEN"]);
    const unknown = await me(winner, crypto.randomUUID());
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "TRIAL_NOT_FOUND"]);
    const malformed = await me(winner, "not-an-id");
    expect([malformed.status, errorCode(malformed)]).toEqual([400, "VALIDATION_FAILED"]);
  });
});

describe("review lists", () => {
  it("GET by trial and by product: anyone reads the items and a {count, average} summary", async () => {
    // Its own trial of a fresh product, so the numbers are exactly this test's.
    const fresh = await createTrial(company, { slots: 3 });
    const members = await createUsers("MEMBER", 3);
    const empty = await api("GET", `/v1/trials/${fresh.id}/reviews`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      items: [],
      nextCursor: null,
      summary: { count: 0, average: null },
    });

    const written: Review[] = [];
    for (const [i, rating] of [5, 4, 4].entries()) {
      const member = members[i]!;
      await apply(fresh.id, member);
      written.push(await review(fresh.id, member, rating));
    }

    for (const path of [
      `/v1/trials/${fresh.id}/reviews`,
      `/v1/products/${fresh.productId}/reviews`,
    ]) {
      const list = await api("GET", path);
      expect(list.status, path).toBe(200);
      expect(list.body.summary, path).toEqual({ count: 3, average: 4.33 });
      expect(list.body.nextCursor, path).toBeNull();
      expect(list.body.items.map((r: Review) => r.id).sort(), path).toEqual(
        written.map((r) => r.id).sort(),
      );
    }

    const unknown = await api("GET", `/v1/products/${crypto.randomUUID()}/reviews`);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "PRODUCT_NOT_FOUND"]);
  });
});

describe("PATCH and DELETE /v1/reviews/:id", () => {
  it("the author edits (200) and deletes (204); another member is refused with 403", async () => {
    const mine = await review(trial.id, secondWinner, 3);

    const edited = await patchReview(mine.id, secondWinner, { rating: 2, title: "Changed" });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id: mine.id,
      userId: secondWinner.id,
      rating: 2,
      title: "Changed",
      body: mine.body,
      createdAt: mine.createdAt,
    });

    // `winner` has a review of this trial too: the refusal is about authorship alone.
    const foreignPatch = await patchReview(mine.id, winner, { rating: 1 });
    expect([foreignPatch.status, errorCode(foreignPatch)]).toEqual([403, "NOT_THE_OWNER"]);
    const foreignDelete = await deleteReview(mine.id, winner);
    expect([foreignDelete.status, errorCode(foreignDelete)]).toEqual([403, "NOT_THE_OWNER"]);
    expect(await sql("SELECT rating FROM reviews WHERE id = $1", [mine.id])).toEqual([
      { rating: 2 },
    ]);

    const removed = await deleteReview(mine.id, secondWinner);
    expect(removed.status).toBe(204);
    const list = await api("GET", `/v1/trials/${trial.id}/reviews`);
    expect(list.body.items.map((r: Review) => r.id)).not.toContain(mine.id);
    const gone = await patchReview(mine.id, secondWinner, { rating: 4 });
    expect([gone.status, errorCode(gone)]).toEqual([404, "REVIEW_NOT_FOUND"]);
  });

  it("an ADMIN edits and deletes someone else's review", async () => {
    const theirs = await review(trial.id, secondWinner, 5);
    const edited = await patchReview(theirs.id, admin, { body: "Edited by moderation." });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id: theirs.id,
      userId: secondWinner.id,
      rating: 5,
      body: "Edited by moderation.",
    });

    const removed = await deleteReview(theirs.id, admin);
    expect(removed.status).toBe(204);
    expect(await sql("SELECT 1 FROM reviews WHERE id = $1", [theirs.id])).toHaveLength(0);
  });
});
