import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { gradientPng } from "../../scripts/seed/png";
import { baseUrls } from "../support/contract/client";
import { createUser } from "../support/contract/fixtures";

/**
 * Absolute links in answers come from PUBLIC_URL (the target runs with it set to its first
 * server's address, test/support/setup/contract-targets.ts), never from what the client claims its
 * host is: otherwise a forged Host would put an attacker's site into image URLs, Location
 * headers and cached product answers.
 */

const PUBLIC_URL = baseUrls[0] as string;
const FORGED = {
  host: "evil.example",
  "x-forwarded-host": "evil-forwarded.example",
  "x-forwarded-proto": "https",
};

/** fetch() always sends the real Host; node:http sends the headers it is given. */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Uint8Array | string,
): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  const url = new URL(path, PUBLIC_URL);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("links in answers", () => {
  it("use PUBLIC_URL, not a forged Host or X-Forwarded-Host (upload, Location, product reads)", async () => {
    const company = await createUser("COMPANY");
    const auth = { ...FORGED, authorization: `Bearer ${company.token}` };
    const uploaded = await rawRequest(
      "POST",
      "/v1/images",
      { ...auth, "content-type": "image/png" },
      gradientPng(3, 1, 7),
    );
    expect(uploaded.status).toBe(201);
    const imageUrl = `${PUBLIC_URL}/v1/images/${uploaded.body.id}`;
    expect(uploaded.body.url).toBe(imageUrl);
    expect(uploaded.headers.location).toBe(imageUrl);

    const created = await rawRequest(
      "POST",
      "/v1/products",
      { ...auth, "content-type": "application/json" },
      JSON.stringify({ name: "Lamp", description: "Lights", imageIds: [uploaded.body.id] }),
    );
    expect(created.status).toBe(201);
    expect(created.body.images).toEqual([{ id: uploaded.body.id, url: imageUrl }]);

    const read = await rawRequest("GET", `/v1/products/${created.body.id}`, FORGED);
    expect(read.body.images).toEqual([{ id: uploaded.body.id, url: imageUrl }]);
    const listed = await rawRequest("GET", `/v1/products?limit=100`, FORGED);
    expect(JSON.stringify(listed.body)).not.toMatch(/evil/);
  });
});
