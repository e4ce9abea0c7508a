import { describe, expect, it } from "vitest";
import { createProduct, createTrial, createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { JPEG, png, upload } from "../support/workerd/images";

async function product(token: string, body: Record<string, unknown>) {
  const res = await api("POST", "/v1/products", { token, body: { description: "", ...body } });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

describe("GET /v1/products", () => {
  it("lists newest first with cursor pages and filters by company, category and q", async () => {
    const company = await createUser("COMPANY");
    const other = await createUser("COMPANY");
    const tag = crypto.randomUUID().slice(0, 8);
    const a = await product(company.token, { name: `Kettle ${tag}`, category: `kitchen-${tag}` });
    const b = await product(company.token, { name: `Toaster ${tag}`, category: `kitchen-${tag}` });
    const c = await product(company.token, {
      name: "Lamp",
      description: `bright ${tag} light`,
      category: `home-${tag}`,
    });
    await product(other.token, { name: `Kettle ${tag} rival` });

    const page1 = await api("GET", `/v1/products?companyId=${company.id}&limit=2`);
    expect(page1.body.items.map((p: { id: string }) => p.id)).toEqual([c.id, b.id]);
    const page2 = await api(
      "GET",
      `/v1/products?companyId=${company.id}&limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items.map((p: { id: string }) => p.id)).toEqual([a.id]);
    expect(page2.body.nextCursor).toBeNull();

    const kitchen = await api("GET", `/v1/products?category=kitchen-${tag}`);
    expect(kitchen.body.items.map((p: { id: string }) => p.id)).toEqual([b.id, a.id]);
    const byText = await api("GET", `/v1/products?q=${tag}&companyId=${company.id}`);
    expect(byText.body.items).toHaveLength(3);
    const kettles = await api("GET", `/v1/products?q=KETTLE%20${tag}`);
    expect(kettles.body.items).toHaveLength(2);
  });

  it("treats % and _ in q literally and rejects bad queries with 400", async () => {
    const company = await createUser("COMPANY");
    const tag = crypto.randomUUID().slice(0, 8);
    await product(company.token, { name: `100% cotton ${tag}` });
    await product(company.token, { name: `100 cotton ${tag}` });
    const literal = await api("GET", `/v1/products?q=${encodeURIComponent(`100% cotton ${tag}`)}`);
    expect(literal.body.items).toHaveLength(1);
    expect((await api("GET", "/v1/products?limit=101")).status).toBe(400);
    expect((await api("GET", "/v1/products?companyId=nope")).status).toBe(400);
    expect((await api("GET", "/v1/products?cursor=%%%")).status).toBe(400);
  });
});

describe("PATCH and DELETE /v1/products/:id", () => {
  it("lets the owner and ADMIN change a product; others get 403", async () => {
    const owner = await createUser("COMPANY");
    const rival = await createUser("COMPANY");
    const admin = await createUser("ADMIN");
    const member = await createUser("MEMBER");
    const id = await createProduct(owner);

    const renamed = await api("PATCH", `/v1/products/${id}`, {
      token: owner.token,
      body: { name: "New name", category: null },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      name: "New name",
      category: null,
      description: "A product under test",
    });
    expect(new Date(renamed.body.updatedAt) >= new Date(renamed.body.createdAt)).toBe(true);
    const byAdmin = await api("PATCH", `/v1/products/${id}`, {
      token: admin.token,
      body: { description: "edited" },
    });
    expect(byAdmin.body.description).toBe("edited");

    const byRival = await api("PATCH", `/v1/products/${id}`, {
      token: rival.token,
      body: { name: "x" },
    });
    expect(byRival.status).toBe(403);
    expect(errorCode(byRival)).toBe("NOT_THE_OWNER");
    expect(
      (await api("PATCH", `/v1/products/${id}`, { token: member.token, body: { name: "x" } }))
        .status,
    ).toBe(403);
    expect((await api("PATCH", `/v1/products/${id}`, { body: { name: "x" } })).status).toBe(401);
    expect(
      (await api("PATCH", `/v1/products/${id}`, { token: owner.token, body: {} })).status,
    ).toBe(400);
    expect(
      (await api("PATCH", `/v1/products/${id}`, { token: owner.token, body: { name: "" } })).status,
    ).toBe(400);
    expect(
      (
        await api("PATCH", `/v1/products/${crypto.randomUUID()}`, {
          token: owner.token,
          body: { name: "x" },
        })
      ).status,
    ).toBe(404);
  });

  it("refuses to delete while a trial is OPEN or SCHEDULED (409), then soft-deletes (204, then 404)", async () => {
    const owner = await createUser("COMPANY");
    const rival = await createUser("COMPANY");
    const trial = await createTrial(owner);
    const blocked = await api("DELETE", `/v1/products/${trial.productId}`, { token: owner.token });
    expect(blocked.status).toBe(409);
    expect(errorCode(blocked)).toBe("PRODUCT_HAS_OPEN_TRIAL");

    expect(
      (await api("POST", `/v1/trials/${trial.id}/cancel`, { token: owner.token })).status,
    ).toBe(200);
    expect(
      (await api("DELETE", `/v1/products/${trial.productId}`, { token: rival.token })).status,
    ).toBe(403);
    const deleted = await api("DELETE", `/v1/products/${trial.productId}`, { token: owner.token });
    expect(deleted.status).toBe(204);
    expect((await api("GET", `/v1/products/${trial.productId}`)).status).toBe(404);
    const listed = await api("GET", `/v1/products?companyId=${owner.id}`);
    expect(listed.body.items).toEqual([]);
    expect(
      (await api("DELETE", `/v1/products/${trial.productId}`, { token: owner.token })).status,
    ).toBe(404);
  });
});

describe("products reference their images", () => {
  it("creates, reads and replaces a product's images in order, with absolute urls", async () => {
    const company = await createUser("COMPANY");
    const rival = await createUser("COMPANY");
    const first = (await upload(company, png(), "image/png")).body.id as string;
    const second = (await upload(company, JPEG, "image/jpeg")).body.id as string;
    const foreign = (await upload(rival, png(), "image/png")).body.id as string;

    const created = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: "Camera", imageIds: [second, first] },
    });
    expect(created.status).toBe(201);
    expect(created.body.images).toEqual([
      { id: second, url: `http://tryit.test/v1/images/${second}` },
      { id: first, url: `http://tryit.test/v1/images/${first}` },
    ]);
    const read = await api("GET", `/v1/products/${created.body.id}`);
    expect(read.body.images.map((i: { id: string }) => i.id)).toEqual([second, first]);

    const replaced = await api("PATCH", `/v1/products/${created.body.id}`, {
      token: company.token,
      body: { imageIds: [first] },
    });
    expect(replaced.status).toBe(200);
    expect(
      (await api("GET", `/v1/products/${created.body.id}`)).body.images.map(
        (i: { id: string }) => i.id,
      ),
    ).toEqual([first]);

    const refused = await api("PATCH", `/v1/products/${created.body.id}`, {
      token: company.token,
      body: { imageIds: [first, foreign] },
    });
    expect(refused.status).toBe(422);
    expect(errorCode(refused)).toBe("UNKNOWN_IMAGE");
    expect(refused.body.error.details[0].path).toBe("imageIds.1");

    const noHalfProduct = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: "Ghost", imageIds: [foreign] },
    });
    expect(noHalfProduct.status).toBe(422);
    const listed = await api("GET", `/v1/products?companyId=${company.id}&q=Ghost`);
    expect(listed.body.items).toEqual([]);

    // Deleting an image takes it off the product, cached detail included.
    expect((await api("DELETE", `/v1/images/${first}`, { token: company.token })).status).toBe(204);
    expect((await api("GET", `/v1/products/${created.body.id}`)).body.images).toEqual([]);
  });
});
