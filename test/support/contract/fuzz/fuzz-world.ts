import { SignJWT } from "jose";
import { inject } from "vitest";
import { gradientPng } from "../../../../scripts/seed/png";
import { api } from "../client";
import {
  createProduct,
  createTrial,
  createUsers,
  FIXTURE_PASSWORD,
  type TestUser,
} from "../fixtures";
import { applicationsAgree } from "./state-fingerprint";

/**
 * What one operation's fuzz runs against: users of every role with valid tokens, a product,
 * an open trial with a WON applicant and their review, a scheduled trial, an image. Real ids
 * make the routes do real work; the ids also scope the state fingerprint, so concurrent test
 * files cannot disturb it. Each operation gets a world of its own, so a run (and a replay of
 * a counterexample) does not depend on what other operations did.
 */
export interface FuzzWorld {
  users: Record<"MEMBER" | "COMPANY" | "ADMIN", TestUser[]>;
  /** Tokens that must be refused with 401: none of them belongs to a live session. */
  badTokens: Record<"forged" | "expired" | "wrongSecret" | "garbage", string>;
  /** Every id this world made, of every kind: path and body ids are drawn from it. */
  ids: string[];
  /** The same ids by kind ("trials", "products", ...), for a parameter whose name says. */
  idsByKind: Record<string, string[]>;
  trialIds: string[];
  /** Strings a request may need to be accepted (emails, the fixture password). */
  knownStrings: string[];
  /** Ids of rows this world owns, grown by every accepted create: the fingerprint's scope. */
  scope: Set<string>;
}

const DAY = 86_400_000;

export async function createWorld(): Promise<FuzzWorld> {
  const [members, companies, admins] = await Promise.all([
    createUsers("MEMBER", 3),
    createUsers("COMPANY", 2),
    // Straight into Postgres with the role, as an operator's grant would leave it.
    createUsers("ADMIN", 1),
  ]);
  const [owner, stranger] = companies as [TestUser, TestUser];
  const [winner] = members as [TestUser];

  const productId = await createProduct(owner, "Fuzzed product");
  const otherProductId = await createProduct(stranger, "Someone else's product");
  const open = await createTrial(owner, { slots: 2, waitlistSize: 2 });
  const scheduled = await createTrial(owner, {
    opensAt: new Date(Date.now() + 7 * DAY),
    closesAt: new Date(Date.now() + 14 * DAY),
  });
  const applied = await api("POST", `/v1/trials/${open.id}/applications`, {
    token: winner.token,
    body: {},
  });
  const review = await api("POST", `/v1/trials/${open.id}/reviews`, {
    token: winner.token,
    body: { rating: 4, title: "Fuzz review", body: "Written before the fuzz." },
  });
  const image = await api("POST", "/v1/images", {
    token: owner.token,
    raw: gradientPng(2, 1, 7),
    headers: { "content-type": "image/png" },
  });
  const userIds = [...members, ...companies, ...admins].map((u) => u.id);
  const trialIds = [open.id, scheduled.id];
  for (const res of [applied, review, image]) {
    if (res.status !== 201)
      throw new Error(`fuzz world: ${res.status} ${JSON.stringify(res.body)}`);
  }

  // The application reaches Postgres through a queue: no case may see it arrive.
  await applicationsAgree(trialIds);
  const users = { MEMBER: members, COMPANY: companies, ADMIN: admins };
  const ids = [
    ...userIds,
    productId,
    otherProductId,
    ...trialIds,
    open.productId,
    applied.body.id,
    review.body.id,
    image.body.id,
  ];
  const idsByKind = {
    users: userIds,
    products: [productId, otherProductId],
    trials: trialIds,
    applications: [applied.body.id],
    reviews: [review.body.id],
    images: [image.body.id],
  };
  return {
    users,
    badTokens: await badTokens(winner.id),
    ids,
    idsByKind,
    trialIds,
    knownStrings: [FIXTURE_PASSWORD, ...[...members, ...companies].map((u) => u.email)],
    scope: new Set(ids),
  };
}

async function badTokens(userId: string): Promise<FuzzWorld["badTokens"]> {
  const secret = new TextEncoder().encode(inject("jwtSecret"));
  const claims = (role: string) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(userId)
      .setIssuer("try-it")
      .setAudience("try-it-api")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600);
  const expired = await claims("MEMBER")
    .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
    .sign(secret);
  const wrongSecret = await claims("ADMIN")
    .setExpirationTime("15m")
    .sign(new TextEncoder().encode("not-the-secret-of-this-deployment-0123456789"));
  // A valid token with its role claim changed: the signature no longer matches.
  const [head, , sig] = expired.split(".");
  const payload = Buffer.from(
    JSON.stringify({ sub: userId, role: "ADMIN", iss: "try-it", aud: "try-it-api", exp: 2e9 }),
  ).toString("base64url");
  return {
    forged: `${head}.${payload}.${sig}`,
    expired,
    wrongSecret,
    garbage: "not.a.jwt",
  };
}
