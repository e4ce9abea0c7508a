import { describe, expect, it } from "vitest";
import { gradientPng } from "../../scripts/seed/png";
import { api, baseUrls, errorCode } from "../support/contract/client";
import {
  createProduct,
  createUser,
  createUsers,
  type TestUser,
} from "../support/contract/fixtures";
import { UNKNOWN_ID } from "../support/shared/values";

/** Images: raw uploads checked by type and size, served immutable, owned by their uploader. */

const MiB = 1024 * 1024;

/**
 * A small real PNG (the demo seed's builder: test/support/workerd/images.ts imports
 * "cloudflare:workers", which this Node suite cannot load); `shade` makes each one's bytes,
 * and so its ETag, its own.
 */
const png = (width = 2, shade = 0) => gradientPng(width, 1, shade);

let shades = 0;
const freshPng = () => png(4, ++shades);

function upload(user: TestUser | null, bytes: Uint8Array, contentType = "image/png") {
  return api("POST", "/v1/images", {
    ...(user ? { token: user.token } : {}),
    raw: bytes,
    headers: { "content-type": contentType },
  });
}

/** `api()` decodes bodies as text; image bytes need the raw response. */
async function download(id: string, headers: Record<string, string> = {}, server = 0) {
  const res = await fetch(`${baseUrls[server % baseUrls.length]}/v1/images/${id}`, { headers });
  return {
    status: res.status,
    headers: res.headers,
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

describe("POST /v1/images", () => {
  it("stores a PNG sent as the raw body: 201 {id, url, contentType, size}", async () => {
    const company = await createUser("COMPANY");
    const bytes = freshPng();
    const res = await upload(company, bytes);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: expect.stringMatching(new RegExp(`/v1/images/${res.body.id}$`)),
      contentType: "image/png",
      size: bytes.length,
    });
    // The url is absolute and serves the image.
    const served = await fetch(res.body.url);
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes);
  });

  it("415 when the bytes are not the declared type, or the type is not an image", async () => {
    const company = await createUser("COMPANY");
    const mismatched = await upload(company, freshPng(), "image/jpeg");
    expect(mismatched.status).toBe(415);
    expect(errorCode(mismatched)).toBe("UNSUPPORTED_MEDIA_TYPE");
    const text = await upload(company, new TextEncoder().encode("<svg></svg>"), "image/png");
    expect(text.status).toBe(415);
    expect(errorCode(text)).toBe("UNSUPPORTED_MEDIA_TYPE");
    const notImage = await upload(company, freshPng(), "text/plain");
    expect(notImage.status).toBe(415);
    expect(errorCode(notImage)).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("413 PAYLOAD_TOO_LARGE past 5 MiB; exactly 5 MiB is accepted", async () => {
    const company = await createUser("COMPANY");
    const signature = png(1);
    const padded = (size: number) => {
      const bytes = new Uint8Array(size);
      bytes.set(signature);
      return bytes;
    };
    const tooBig = await upload(company, padded(5 * MiB + 1));
    expect(tooBig.status).toBe(413);
    expect(errorCode(tooBig)).toBe("PAYLOAD_TOO_LARGE");
    const atLimit = await upload(company, padded(5 * MiB));
    expect(atLimit.status).toBe(201);
    expect(atLimit.body.size).toBe(5 * MiB);
  });

  it("403 for a MEMBER, 401 without a token", async () => {
    const member = await createUser("MEMBER");
    const forbidden = await upload(member, freshPng());
    expect(forbidden.status).toBe(403);
    expect(errorCode(forbidden)).toBe("FORBIDDEN");
    const anonymous = await upload(null, freshPng());
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe("UNAUTHORIZED");
  });
});

describe("GET /v1/images/:id", () => {
  it("serves the same bytes to anyone, on every server, with type, ETag and a long Cache-Control", async () => {
    const company = await createUser("COMPANY");
    const bytes = freshPng();
    const { id } = (await upload(company, bytes)).body;
    const etags = new Set<string | null>();
    for (let server = 0; server < baseUrls.length; server++) {
      const res = await download(id, {}, server);
      expect(res.status).toBe(200);
      expect(res.bytes).toEqual(bytes);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(res.headers.get("etag")).toMatch(/^"[^"]+"$/);
      const maxAge = /max-age=(\d+)/.exec(res.headers.get("cache-control") ?? "")?.[1];
      expect(Number(maxAge)).toBeGreaterThanOrEqual(86_400 * 30);
      etags.add(res.headers.get("etag"));
    }
    expect(etags.size).toBe(1);
  });

  it("answers 304 with no body to a matching If-None-Match, 200 to another tag", async () => {
    const company = await createUser("COMPANY");
    const bytes = freshPng();
    const { id } = (await upload(company, bytes)).body;
    const etag = (await download(id)).headers.get("etag") ?? "";
    const cached = await download(id, { "if-none-match": etag });
    expect(cached.status).toBe(304);
    expect(cached.bytes).toHaveLength(0);
    expect(cached.headers.get("etag")).toBe(etag);
    const stale = await download(id, { "if-none-match": '"some-other-version"' });
    expect(stale.status).toBe(200);
    expect(stale.bytes).toEqual(bytes);
  });

  it("404 IMAGE_NOT_FOUND for an unknown id, 400 for a non-UUID", async () => {
    const missing = await api("GET", `/v1/images/${UNKNOWN_ID}`);
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe("IMAGE_NOT_FOUND");
    const malformed = await api("GET", "/v1/images/not-a-uuid");
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("VALIDATION_FAILED");
  });
});

describe("DELETE /v1/images/:id", () => {
  it("403 NOT_THE_OWNER for another company; 204 for the owner, then 404", async () => {
    const [owner, rival] = await createUsers("COMPANY", 2);
    if (!owner || !rival) throw new Error("no companies");
    const { id } = (await upload(owner, freshPng())).body;
    const byRival = await api("DELETE", `/v1/images/${id}`, { token: rival.token });
    expect(byRival.status).toBe(403);
    expect(errorCode(byRival)).toBe("NOT_THE_OWNER");
    expect((await download(id)).status).toBe(200);

    expect((await api("DELETE", `/v1/images/${id}`, { token: owner.token })).status).toBe(204);
    for (let server = 0; server < baseUrls.length; server++) {
      const gone = await api("GET", `/v1/images/${id}`, { server });
      expect(gone.status).toBe(404);
      expect(errorCode(gone)).toBe("IMAGE_NOT_FOUND");
    }
    const again = await api("DELETE", `/v1/images/${id}`, { token: owner.token });
    expect(again.status).toBe(404);
  });
});

describe("images on products", () => {
  it("a product made with imageIds shows them as [{id, url}] in order; a deleted one drops out", async () => {
    const company = await createUser("COMPANY");
    const first = (await upload(company, freshPng())).body;
    const second = (await upload(company, freshPng())).body;
    const created = await api("POST", "/v1/products", {
      token: company.token,
      body: { name: "Pictured", imageIds: [second.id, first.id] },
    });
    expect(created.status).toBe(201);
    expect(created.body.images).toEqual([
      { id: second.id, url: second.url },
      { id: first.id, url: first.url },
    ]);
    const read = await api("GET", `/v1/products/${created.body.id}`);
    expect(read.body.images).toEqual(created.body.images);

    expect((await api("DELETE", `/v1/images/${second.id}`, { token: company.token })).status).toBe(
      204,
    );
    for (let server = 0; server < baseUrls.length; server++) {
      // Urls are built from the origin each request came in on, so compare paths here.
      const after = await api("GET", `/v1/products/${created.body.id}`, { server });
      expect(after.body.images).toEqual([
        { id: first.id, url: expect.stringMatching(new RegExp(`/v1/images/${first.id}$`)) },
      ]);
    }
  });

  it("PATCH imageIds replaces the images; another company's image is 422 UNKNOWN_IMAGE", async () => {
    const [owner, rival] = await createUsers("COMPANY", 2);
    if (!owner || !rival) throw new Error("no companies");
    const productId = await createProduct(owner);
    const mine = (await upload(owner, freshPng())).body;
    const theirs = (await upload(rival, freshPng())).body;
    const patched = await api("PATCH", `/v1/products/${productId}`, {
      token: owner.token,
      body: { imageIds: [mine.id] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.images).toEqual([{ id: mine.id, url: mine.url }]);

    const borrowed = await api("PATCH", `/v1/products/${productId}`, {
      token: owner.token,
      body: { imageIds: [mine.id, theirs.id] },
    });
    expect(borrowed.status).toBe(422);
    expect(errorCode(borrowed)).toBe("UNKNOWN_IMAGE");
    expect(borrowed.body.error.details).toContainEqual(
      expect.objectContaining({ path: "imageIds.1" }),
    );
    const read = await api("GET", `/v1/products/${productId}`);
    expect(read.body.images).toEqual([{ id: mine.id, url: mine.url }]);
  });
});
