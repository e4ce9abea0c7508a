import { beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { JPEG, rawRequest, sha256Hex, upload } from "../support/workerd/images";

let id: string;
let etag: string;

beforeAll(async () => {
  const company = await createUser("COMPANY");
  const created = await upload(company, JPEG, "image/jpeg");
  if (created.status !== 201) throw new Error(`upload: ${created.status}`);
  id = created.body.id;
  etag = `"${await sha256Hex(JPEG)}"`;
});

async function getWith(ifNoneMatch: string) {
  return rawRequest("GET", `/v1/images/${id}`, { headers: { "if-none-match": ifNoneMatch } });
}

describe("GET /v1/images/:id conditional requests", () => {
  it("the ETag is the quoted SHA-256 of the bytes and is stable across reads", async () => {
    const [a, b] = await Promise.all([
      rawRequest("GET", `/v1/images/${id}`),
      rawRequest("GET", `/v1/images/${id}`),
    ]);
    expect(a.headers.get("etag")).toBe(etag);
    expect(b.headers.get("etag")).toBe(etag);
    await Promise.all([a.body?.cancel(), b.body?.cancel()]);
  });

  it("304 without a body when If-None-Match has the ETag, with caching headers", async () => {
    const res = await getWith(etag);
    expect(res.status).toBe(304);
    expect(await res.text()).toBe("");
    expect(res.headers.get("etag")).toBe(etag);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("304 for the weak form, inside a list, and for *", async () => {
    for (const header of [
      `W/${etag}`,
      `"something-else", ${etag}`,
      `W/"x,y", W/${etag}, "z"`,
      "*",
    ]) {
      const res = await getWith(header);
      expect(res.status, header).toBe(304);
      await res.body?.cancel();
    }
  });

  it("200 with the bytes when If-None-Match names other tags", async () => {
    for (const header of [`"${"0".repeat(64)}"`, `W/"nope", "also-nope"`, etag.slice(1, -1)]) {
      const res = await getWith(header);
      expect(res.status, header).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(JPEG);
    }
  });

  it("HEAD answers the headers without the bytes", async () => {
    const res = await rawRequest("HEAD", `/v1/images/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(etag);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(await res.text()).toBe("");
  });
});

describe("GET /v1/images/:id errors", () => {
  it("400 for a malformed id, 404 for an unknown one", async () => {
    const malformed = await api("GET", "/v1/images/not-a-uuid");
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("VALIDATION_FAILED");
    const unknown = await api("GET", `/v1/images/${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe("IMAGE_NOT_FOUND");
  });
});
