import { describe, expect, it } from "vitest";
import { generateOpenApi } from "../../workers/openapi/generate";
import { createProduct, createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";

/**
 * Found by the OpenAPI fuzzer (test/input-rules/openapi-fuzz.contract.test.ts): the input rules at the door (a query
 * value Postgres cannot store, a body that is not bounded JSON) hold for every /v1 route, but
 * the document declared their answers only on routes with validators of their own, so
 * `GET /v1/users/me?%00` answered a 400 the document did not list, and a DELETE with a
 * text body a 415. The generator now reads the app-wide steps each route runs behind.
 */
type Json = Record<string, any>;
const doc = generateOpenApi() as Json;
const UNSAFE = ["post", "put", "patch", "delete"];

function operations(filter: (path: string, method: string) => boolean) {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => filter(path, method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op: op as Json })),
  );
}

const codesOf = (op: Json, status: number): string =>
  op.responses[String(status)]?.description ?? "";

describe("the door's answers in the OpenAPI document", () => {
  const behindTheDoor = (path: string) => path.startsWith("/v1/") && !path.startsWith("/v1/images");

  it("every /v1 route behind the door declares 400 VALIDATION_FAILED", () => {
    const routes = operations((path) => behindTheDoor(path));
    expect(routes.length).toBeGreaterThan(20);
    for (const { key, op } of routes) expect(codesOf(op, 400), key).toContain("VALIDATION_FAILED");
  });

  it("every unsafe route behind the JSON body step declares 400 MALFORMED_JSON, 413 and 415", () => {
    for (const { key, op } of operations((p, m) => behindTheDoor(p) && UNSAFE.includes(m))) {
      expect(codesOf(op, 400), key).toContain("MALFORMED_JSON");
      expect(codesOf(op, 413), key).toContain("PAYLOAD_TOO_LARGE");
      expect(codesOf(op, 415), key).toContain("UNSUPPORTED_MEDIA_TYPE");
    }
  });

  it("an image upload, mounted before the JSON body step, declares none of its JSON errors", () => {
    expect(codesOf(doc.paths["/v1/images"].post, 400)).not.toContain("MALFORMED_JSON");
  });

  it("the routes really answer so", async () => {
    const company = await createUser("COMPANY");
    const me = await api("GET", "/v1/users/me?q=%00", { token: company.token });
    expect([me.status, errorCode(me)]).toEqual([400, "VALIDATION_FAILED"]);
    const productId = await createProduct(company);
    const text = await api("DELETE", `/v1/products/${productId}`, {
      token: company.token,
      raw: "please",
      headers: { "content-type": "text/plain" },
    });
    expect([text.status, errorCode(text)]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
  });
});
