import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser } from "../support/workerd/fixtures";
import { api, errorCode } from "../support/workerd/http";
import { png, rawRequest, upload } from "../support/workerd/images";

async function uploaded(owner: Awaited<ReturnType<typeof createUser>>): Promise<string> {
  const res = await upload(owner, png(), "image/png");
  if (res.status !== 201) throw new Error(`upload: ${res.status}`);
  return res.body.id;
}

describe("DELETE /v1/images/:id", () => {
  it("the owner deletes: 204, then GET is 404 and the bytes are gone from R2", async () => {
    const company = await createUser("COMPANY");
    const id = await uploaded(company);
    expect(await env.IMAGES.head(`images/${id}`)).not.toBeNull();

    const res = await api("DELETE", `/v1/images/${id}`, { token: company.token });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();

    const read = await api("GET", `/v1/images/${id}`);
    expect(read.status).toBe(404);
    expect(errorCode(read)).toBe("IMAGE_NOT_FOUND");
    expect(await env.IMAGES.head(`images/${id}`)).toBeNull();

    const again = await api("DELETE", `/v1/images/${id}`, { token: company.token });
    expect(again.status).toBe(404);
    expect(errorCode(again)).toBe("IMAGE_NOT_FOUND");
  });

  it("403 for another company and for a MEMBER; the image stays", async () => {
    const [owner, other, member] = await Promise.all([
      createUser("COMPANY"),
      createUser("COMPANY"),
      createUser("MEMBER"),
    ]);
    const id = await uploaded(owner);
    for (const caller of [other, member]) {
      const res = await api("DELETE", `/v1/images/${id}`, { token: caller.token });
      expect(res.status, caller.role).toBe(403);
      expect(errorCode(res)).toBe("NOT_THE_OWNER");
    }
    const still = await rawRequest("GET", `/v1/images/${id}`);
    expect(still.status).toBe(200);
    await still.body?.cancel();
  });

  it("an ADMIN deletes any company's image", async () => {
    const [owner, admin] = await Promise.all([createUser("COMPANY"), createUser("ADMIN")]);
    const id = await uploaded(owner);
    const res = await api("DELETE", `/v1/images/${id}`, { token: admin.token });
    expect(res.status).toBe(204);
    expect((await api("GET", `/v1/images/${id}`)).status).toBe(404);
  });

  it("401 without a token, 400 for a malformed id, 404 for an unknown id", async () => {
    const company = await createUser("COMPANY");
    const id = await uploaded(company);
    const anonymous = await api("DELETE", `/v1/images/${id}`);
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe("UNAUTHORIZED");
    const malformed = await api("DELETE", "/v1/images/123", { token: company.token });
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("VALIDATION_FAILED");
    const unknown = await api("DELETE", `/v1/images/${crypto.randomUUID()}`, {
      token: company.token,
    });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe("IMAGE_NOT_FOUND");
  });

  it("two concurrent deletes: exactly one 204, the other 404", async () => {
    const company = await createUser("COMPANY");
    const id = await uploaded(company);
    const results = await Promise.all([
      api("DELETE", `/v1/images/${id}`, { token: company.token }),
      api("DELETE", `/v1/images/${id}`, { token: company.token }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 404]);
  });
});
