import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { idempotencyKeys, products } from "../../db/schema";
import { purgeIdempotencyKeys } from "../../workers/scheduled/idempotency-purge";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";

const key = () => `key-${crypto.randomUUID()}`;
const productsOf = (companyId: string) =>
  withDb((db) => db.select().from(products).where(eq(products.companyId, companyId)));

describe("Idempotency-Key on unsafe requests", () => {
  it("a repeat gets the first response again and nothing happens twice", async () => {
    const company = await createUser("COMPANY");
    const k = key();
    const body = { name: "Kettle", description: "Boils water" };
    const first = await api("POST", "/v1/products", {
      token: company.token,
      body,
      headers: { "idempotency-key": k },
    });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await api("POST", "/v1/products", {
      token: company.token,
      body,
      headers: { "idempotency-key": k },
    });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("content-type")).toContain("application/json");
    expect(await productsOf(company.id)).toHaveLength(1);
  });

  it("concurrent repeats: one runs, the others are told it is in flight or get its answer", async () => {
    const company = await createUser("COMPANY");
    const k = key();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        api("POST", "/v1/products", {
          token: company.token,
          body: { name: "Toaster", description: "Toasts" },
          headers: { "idempotency-key": k },
        }),
      ),
    );
    for (const a of answers) {
      if (a.status === 409) {
        expect(errorCode(a)).toBe("IDEMPOTENCY_KEY_IN_USE");
        expect(a.headers.get("retry-after")).toBe("1");
      } else expect(a.status).toBe(201);
    }
    expect(new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id)).size).toBe(1);
    expect(await productsOf(company.id)).toHaveLength(1);
  });

  it("the same key with another request is 422; another caller's same key is their own", async () => {
    const [company, rival] = [await createUser("COMPANY"), await createUser("COMPANY")];
    const k = key();
    const send = (token: string, name: string) =>
      api("POST", "/v1/products", {
        token,
        body: { name, description: "x" },
        headers: { "idempotency-key": k },
      });
    expect((await send(company.token, "One")).status).toBe(201);
    const reused = await send(company.token, "Two");
    expect(reused.status).toBe(422);
    expect(errorCode(reused)).toBe("IDEMPOTENCY_KEY_REUSED");
    expect((await send(rival.token, "One")).status).toBe(201);
    expect(await productsOf(company.id)).toHaveLength(1);
    expect(await productsOf(rival.id)).toHaveLength(1);
  });

  it("a refusal is a final answer too: the repeat of a 409 is the same 409, not a new attempt", async () => {
    const company = await createUser("COMPANY");
    const member = await createUser("MEMBER");
    const trial = await createTrial(company, {
      opensAt: new Date(Date.now() + 3_600_000),
      closesAt: new Date(Date.now() + 7_200_000),
    });
    const k = key();
    const apply = () =>
      api("POST", `/v1/trials/${trial.id}/applications`, {
        token: member.token,
        body: {},
        headers: { "idempotency-key": k },
      });
    const first = await apply();
    expect(errorCode(first)).toBe("TRIAL_NOT_OPEN");
    const again = await apply();
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("an invalid key is 400 and runs nothing", async () => {
    const company = await createUser("COMPANY");
    const res = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: "Kettle", description: "x" },
      headers: { "idempotency-key": "has spaces in it" },
    });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("VALIDATION_FAILED");
    expect(await productsOf(company.id)).toHaveLength(0);
  });
});

describe("the daily purge of idempotency keys", () => {
  it("removes keys older than a day and keeps the rest", async () => {
    const principal = `user:${crypto.randomUUID()}`;
    const now = new Date();
    const left = await withDb(async (db) => {
      await db.insert(idempotencyKeys).values([
        {
          principal,
          key: "old",
          requestHash: "h",
          createdAt: new Date(now.getTime() - 25 * 3600_000),
        },
        {
          principal,
          key: "fresh",
          requestHash: "h",
          createdAt: new Date(now.getTime() - 3600_000),
        },
      ]);
      expect(await purgeIdempotencyKeys(db, now)).toBeGreaterThanOrEqual(1);
      return db.select().from(idempotencyKeys).where(eq(idempotencyKeys.principal, principal));
    });
    expect(left.map((r) => r.key)).toEqual(["fresh"]);
  });
});
