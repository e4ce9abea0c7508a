import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { productImages } from "../../db/schema";
import { AppError } from "../../workers/errors";
import { attachImages, imagesOf } from "../../workers/services/product-images";
import { withDb } from "../support/workerd/db";
import { createProduct, createUser, type TestUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";
import { GIF, JPEG, png, upload } from "../support/workerd/images";

const ORIGIN = "https://api.tryit.test";

let company: TestUser;
let rival: TestUser;
let admin: TestUser;

beforeAll(async () => {
  [company, rival, admin] = await Promise.all([
    createUser("COMPANY"),
    createUser("COMPANY"),
    createUser("ADMIN"),
  ]);
});

async function imageOf(user: TestUser, bytes: Uint8Array = png(), type = "image/png") {
  const res = await upload(user, bytes, type);
  if (res.status !== 201) throw new Error(`upload: ${res.status}`);
  return res.body.id as string;
}

async function attach(productId: string, imageIds: string[]) {
  return withDb((db) => attachImages(db, productId, company.id, imageIds));
}

async function listed(productId: string) {
  const map = await withDb((db) => imagesOf(db, [productId], ORIGIN));
  return map.get(productId)?.map((i) => i.id);
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe("attachImages and imagesOf", () => {
  it("attaches in the given order, replaces the list, and builds absolute urls", async () => {
    const productId = await createProduct(company);
    const [a, b, c] = await Promise.all([
      imageOf(company),
      imageOf(company, JPEG, "image/jpeg"),
      imageOf(company, GIF, "image/gif"),
    ]);
    await attach(productId, [c, a, b]);
    const map = await withDb((db) => imagesOf(db, [productId], ORIGIN));
    expect(map.get(productId)).toEqual([
      { id: c, url: `${ORIGIN}/v1/images/${c}` },
      { id: a, url: `${ORIGIN}/v1/images/${a}` },
      { id: b, url: `${ORIGIN}/v1/images/${b}` },
    ]);

    await attach(productId, [b, c]);
    expect(await listed(productId)).toEqual([b, c]);
    await attach(productId, []);
    expect(await listed(productId)).toEqual([]);
  });

  it("imagesOf answers many products in one call, with an empty list for none", async () => {
    const [p1, p2, p3] = await Promise.all([
      createProduct(company),
      createProduct(company),
      createProduct(company),
    ]);
    const [x, y] = await Promise.all([imageOf(company), imageOf(company)]);
    await attach(p1, [x, y]);
    await attach(p2, [y]);
    const map = await withDb((db) => imagesOf(db, [p1, p2, p3], ORIGIN));
    expect(map.get(p1)?.map((i) => i.id)).toEqual([x, y]);
    expect(map.get(p2)?.map((i) => i.id)).toEqual([y]);
    expect(map.get(p3)).toEqual([]);
  });

  it("accepts an image an ADMIN uploaded", async () => {
    const productId = await createProduct(company);
    const byAdmin = await imageOf(admin);
    await attach(productId, [byAdmin]);
    expect(await listed(productId)).toEqual([byAdmin]);
  });

  it("UNKNOWN_IMAGE (422) naming each unknown, deleted or foreign id; the list is unchanged", async () => {
    const productId = await createProduct(company);
    const [own, foreign, deleted] = await Promise.all([
      imageOf(company),
      imageOf(rival),
      imageOf(company),
    ]);
    await attach(productId, [own]);
    await api("DELETE", `/v1/images/${deleted}`, { token: company.token });

    const err = await rejection(attach(productId, [own, foreign, crypto.randomUUID(), deleted]));
    expect(err.code).toBe("UNKNOWN_IMAGE");
    expect(err.status).toBe(422);
    expect(err.details.map((d) => d.path)).toEqual(["imageIds.1", "imageIds.2", "imageIds.3"]);
    expect(await listed(productId)).toEqual([own]);
  });

  it("400 for an id listed twice; PRODUCT_NOT_FOUND for an unknown product", async () => {
    const productId = await createProduct(company);
    const id = await imageOf(company);
    const twice = await rejection(attach(productId, [id, id.toUpperCase()]));
    expect(twice.code).toBe("VALIDATION_FAILED");
    expect(twice.details).toEqual([{ path: "imageIds.1", message: "listed more than once" }]);
    const noProduct = await rejection(attach(crypto.randomUUID(), [id]));
    expect(noProduct.code).toBe("PRODUCT_NOT_FOUND");
  });

  it("deleting an image removes it from every product that showed it", async () => {
    const [p1, p2] = await Promise.all([createProduct(company), createProduct(company)]);
    const [keep, gone] = await Promise.all([imageOf(company), imageOf(company)]);
    await attach(p1, [gone, keep]);
    await attach(p2, [gone]);
    const res = await api("DELETE", `/v1/images/${gone}`, { token: company.token });
    expect(res.status).toBe(204);
    expect(await listed(p1)).toEqual([keep]);
    expect(await listed(p2)).toEqual([]);
    const rows = await withDb((db) =>
      db.select().from(productImages).where(eq(productImages.imageId, gone)),
    );
    expect(rows).toEqual([]);
  });
  it("joins the caller's transaction: rolling it back undoes the attach", async () => {
    const productId = await createProduct(company);
    const id = await imageOf(company);
    const rolledBack = new Error("roll back");
    const outcome = await withDb((db) =>
      db.transaction(async (tx) => {
        await attachImages(tx, productId, company.id, [id]);
        expect((await imagesOf(tx, [productId], ORIGIN)).get(productId)?.length).toBe(1);
        throw rolledBack;
      }),
    ).catch((e: unknown) => e);
    expect(outcome).toBe(rolledBack);
    expect(await listed(productId)).toEqual([]);
  });
});

describe("attachImages under concurrency", () => {
  it("concurrent replacements of one product all succeed and leave exactly one of the lists", async () => {
    const productId = await createProduct(company);
    const ids = await Promise.all(Array.from({ length: 4 }, () => imageOf(company)));
    // Overlapping lists: without the product row lock two of these would insert the same
    // (product, image) pair and one would fail on the primary key.
    const lists = [ids, [...ids].reverse(), ids.slice(1), ids.slice(0, 2), [ids[3] as string]];
    const results = await Promise.allSettled(lists.map((list) => attach(productId, list)));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const final = await listed(productId);
    expect(lists).toContainEqual(final);
  });

  it("a delete racing an attach never leaves a deleted image attached", async () => {
    for (let round = 0; round < 5; round++) {
      const productId = await createProduct(company);
      const [stays, raced] = await Promise.all([imageOf(company), imageOf(company)]);
      const [attached, deleted] = await Promise.allSettled([
        attach(productId, [stays, raced]),
        api("DELETE", `/v1/images/${raced}`, { token: company.token }),
      ]);
      expect(deleted.status === "fulfilled" && deleted.value.status).toBe(204);
      if (attached.status === "rejected") {
        // The delete won: the image is refused.
        expect((attached.reason as AppError).code).toBe("UNKNOWN_IMAGE");
      }
      const rows = await withDb((db) =>
        db.select().from(productImages).where(eq(productImages.imageId, raced)),
      );
      expect(rows).toEqual([]);
    }
  });
});
