import { describe, expect, it } from "vitest";
import { api, baseUrls, errorCode } from "./support/client";
import { createUser, sql } from "./support/fixtures";

describe("Idempotency-Key", () => {
  it("a retried request gets the first response, on any server, and nothing happens twice", async () => {
    const company = await createUser("COMPANY");
    const key = `contract-${crypto.randomUUID()}`;
    const send = (server: number, name = "Kettle") =>
      api("POST", "/v1/products", {
        token: company.token,
        body: { name, description: "Boils water" },
        headers: { "idempotency-key": key },
        server,
      });
    const first = await send(0);
    expect(first.status).toBe(201);
    for (let server = 0; server < baseUrls.length; server++) {
      const again = await send(server);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
    }
    const other = await send(0, "Another kettle");
    expect(other.status).toBe(422);
    expect(errorCode(other)).toBe("IDEMPOTENCY_KEY_REUSED");
    const rows = await sql("SELECT id FROM products WHERE company_id = $1", [company.id]);
    expect(rows).toHaveLength(1);
  });
});
