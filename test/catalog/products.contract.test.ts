import { describe, expect, it } from "vitest";
import { api, baseUrls, errorCode } from "../support/contract/client";
import { createProduct, createTrial, createUser, createUsers } from "../support/contract/fixtures";
import { ISO_INSTANT, UNKNOWN_ID } from "../support/shared/values";

/** The catalog's products: their owners, filters, paging and lifecycle conflicts. */

const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe("products", () => {
  it("POST creates a Product for the calling company (201)", async () => {
    const company = await createUser("COMPANY");
    const res = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: "Espresso grinder", description: "Burrs", category: "kitchen" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      companyId: company.id,
      name: "Espresso grinder",
      description: "Burrs",
      category: "kitchen",
      images: [],
      createdAt: expect.stringMatching(ISO_INSTANT),
      updatedAt: expect.stringMatching(ISO_INSTANT),
    });
    const read = await api("GET", `/v1/products/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it("POST is 403 for a MEMBER, 401 without a token, 400 for an invalid name", async () => {
    const member = await createUser("MEMBER");
    const forbidden = await api("POST", "/v1/products", {
      token: member.token,
      body: { name: "Nope" },
    });
    expect(forbidden.status).toBe(403);
    expect(errorCode(forbidden)).toBe("FORBIDDEN");
    const anonymous = await api("POST", "/v1/products", { body: { name: "Nope" } });
    expect(anonymous.status).toBe(401);

    const company = await createUser("COMPANY");
    for (const name of ["", "x".repeat(101)]) {
      const invalid = await api("POST", "/v1/products", { token: company.token, body: { name } });
      expect(invalid.status).toBe(400);
      expect(errorCode(invalid)).toBe("VALIDATION_FAILED");
      expect(invalid.body.error.details).toContainEqual(expect.objectContaining({ path: "name" }));
    }
  });

  it("GET lists with q and companyId filters, newest first", async () => {
    const [a, b] = await createUsers("COMPANY", 2);
    if (!a || !b) throw new Error("no companies");
    const tag = `zq${crypto.randomUUID().slice(0, 8)}`;
    const older = await createProduct(a, `Kettle ${tag}`);
    const newer = await createProduct(b, `Toaster ${tag.toUpperCase()}`);
    const other = await createProduct(a, "Untagged lamp");

    const byQ = await api("GET", `/v1/products?q=${tag}`);
    expect(byQ.status).toBe(200);
    expect(ids(byQ.body.items)).toEqual([newer, older]);
    expect(byQ.body.nextCursor).toBeNull();

    const byCompany = await api("GET", `/v1/products?companyId=${a.id}`);
    expect(ids(byCompany.body.items)).toEqual([other, older]);
    expect(byCompany.body.items.every((p: { companyId: string }) => p.companyId === a.id)).toBe(
      true,
    );
  });

  it("GET pages with limit and an opaque cursor; a forged cursor is 400", async () => {
    const company = await createUser("COMPANY");
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createProduct(company, `Paged ${i}`));
    const first = await api("GET", `/v1/products?companyId=${company.id}&limit=2`);
    expect(ids(first.body.items)).toEqual([made[2], made[1]]);
    expect(typeof first.body.nextCursor).toBe("string");
    const cursor = encodeURIComponent(first.body.nextCursor);
    const second = await api(
      "GET",
      `/v1/products?companyId=${company.id}&limit=2&cursor=${cursor}`,
    );
    expect(ids(second.body.items)).toEqual([made[0]]);
    expect(second.body.nextCursor).toBeNull();

    const forged = await api("GET", "/v1/products?cursor=not-a-cursor");
    expect(forged.status).toBe(400);
    expect(errorCode(forged)).toBe("VALIDATION_FAILED");
    const tooMany = await api("GET", "/v1/products?limit=101");
    expect(tooMany.status).toBe(400);
  });

  it("GET one: 404 PRODUCT_NOT_FOUND for an unknown id, 400 for a non-UUID", async () => {
    const missing = await api("GET", `/v1/products/${UNKNOWN_ID}`);
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe("PRODUCT_NOT_FOUND");
    const malformed = await api("GET", "/v1/products/not-a-uuid");
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("VALIDATION_FAILED");
  });

  it("PATCH by the owner changes it everywhere; another company gets 403 NOT_THE_OWNER", async () => {
    const [owner, rival] = await createUsers("COMPANY", 2);
    if (!owner || !rival) throw new Error("no companies");
    const id = await createProduct(owner, "Before");
    // Read it once on every server first, so a stale cached copy would show.
    for (let server = 0; server < baseUrls.length; server++) {
      expect((await api("GET", `/v1/products/${id}`, { server })).body.name).toBe("Before");
    }
    const patched = await api("PATCH", `/v1/products/${id}`, {
      token: owner.token,
      body: { name: "After", category: "garden" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: "After", category: "garden" });
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(patched.body.createdAt),
    );
    for (let server = 0; server < baseUrls.length; server++) {
      const read = await api("GET", `/v1/products/${id}`, { server });
      expect(read.body).toMatchObject({ name: "After", category: "garden" });
    }

    const rivalPatch = await api("PATCH", `/v1/products/${id}`, {
      token: rival.token,
      body: { name: "Hijacked" },
    });
    expect(rivalPatch.status).toBe(403);
    expect(errorCode(rivalPatch)).toBe("NOT_THE_OWNER");
    expect((await api("GET", `/v1/products/${id}`)).body.name).toBe("After");
  });

  it("DELETE soft-deletes (204): then 404 and gone from the list; not by another company", async () => {
    const [owner, rival] = await createUsers("COMPANY", 2);
    if (!owner || !rival) throw new Error("no companies");
    const id = await createProduct(owner);
    expect((await api("GET", `/v1/products/${id}`)).status).toBe(200);
    const byRival = await api("DELETE", `/v1/products/${id}`, { token: rival.token });
    expect(byRival.status).toBe(403);
    expect(errorCode(byRival)).toBe("NOT_THE_OWNER");

    expect((await api("DELETE", `/v1/products/${id}`, { token: owner.token })).status).toBe(204);
    const after = await api("GET", `/v1/products/${id}`);
    expect(after.status).toBe(404);
    expect(errorCode(after)).toBe("PRODUCT_NOT_FOUND");
    const list = await api("GET", `/v1/products?companyId=${owner.id}`);
    expect(ids(list.body.items)).not.toContain(id);
  });

  it("DELETE is 409 PRODUCT_HAS_OPEN_TRIAL while a trial is OPEN, allowed once it is cancelled", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    expect(trial.status).toBe("OPEN");
    const refused = await api("DELETE", `/v1/products/${trial.productId}`, {
      token: company.token,
    });
    expect(refused.status).toBe(409);
    expect(errorCode(refused)).toBe("PRODUCT_HAS_OPEN_TRIAL");
    expect((await api("GET", `/v1/products/${trial.productId}`)).status).toBe(200);

    const cancel = await api("POST", `/v1/trials/${trial.id}/cancel`, { token: company.token });
    expect(cancel.status).toBe(200);
    const deleted = await api("DELETE", `/v1/products/${trial.productId}`, {
      token: company.token,
    });
    expect(deleted.status).toBe(204);
  });
});
