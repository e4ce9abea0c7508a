import { describe, expect, it } from "vitest";
import { api, baseUrls, errorCode } from "../support/contract/client";

describe("operations", () => {
  it("GET /healthz answers ok with the database checked, on every server", async () => {
    for (let server = 0; server < baseUrls.length; server++) {
      const res = await api("GET", "/healthz", { server });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, checks: { db: "ok" } });
      expect(typeof res.body.version).toBe("string");
    }
  });

  it("an unknown path is a 404 in the error shape, with a request id", async () => {
    const res = await api("GET", "/v1/no-such-thing");
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("NOT_FOUND");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });
});
