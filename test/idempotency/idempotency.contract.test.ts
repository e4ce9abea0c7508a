import { describe, expect, it } from "vitest";
import { gradientPng } from "../../scripts/seed/png";
import { api, baseUrls, errorCode } from "../support/contract/client";
import { createUser, sql } from "../support/contract/fixtures";

/** Idempotency-Key (docs/decisions/0018, 0022), on both runtimes. */

const freshKey = () => `contract-${crypto.randomUUID()}`;
const freshEmail = () => `idem-${crypto.randomUUID()}@tryit.test`;
const PASSWORD = "a long enough password";

describe("Idempotency-Key", () => {
  it("a retried request gets the first response, on any server, and nothing happens twice", async () => {
    const company = await createUser("COMPANY");
    const key = freshKey();
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

describe("Idempotency-Key on image uploads and deletes (raw bodies)", () => {
  it("a repeated upload is replayed, not stored twice; other bytes under the key are 422", async () => {
    const company = await createUser("COMPANY");
    const key = freshKey();
    // The same PNG with one trailing byte more. 0x80 and 0x81 are no UTF-8: as text both
    // would read as U+FFFD, so only a hash of the bytes tells the two requests apart.
    const png = gradientPng(3, 1, 11);
    const withTail = (tail: number) => new Uint8Array([...png, tail]);
    const upload = (bytes: Uint8Array, server = 0) =>
      api("POST", "/v1/images", {
        token: company.token,
        raw: bytes,
        headers: { "content-type": "image/png", "idempotency-key": key },
        server,
      });
    const first = await upload(withTail(0x80));
    expect(first.status).toBe(201);
    const again = await upload(withTail(0x80), baseUrls.length - 1);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    const other = await upload(withTail(0x81));
    expect(other.status).toBe(422);
    expect(errorCode(other)).toBe("IDEMPOTENCY_KEY_REUSED");
    const images = await sql("SELECT id FROM images WHERE owner_id = $1", [company.id]);
    expect(images.map((r) => r.id)).toEqual([first.body.id]);

    const deleteKey = freshKey();
    const remove = () =>
      api("DELETE", `/v1/images/${first.body.id}`, {
        token: company.token,
        headers: { "idempotency-key": deleteKey },
      });
    expect((await remove()).status).toBe(204);
    // Without the key the image is gone (404); with it, the first answer again.
    const repeated = await remove();
    expect(repeated.status).toBe(204);
    expect(repeated.headers.get("idempotent-replayed")).toBe("true");
  });
});

describe("the idempotency store never holds or hands out what it must not", () => {
  it("login and refresh refuse a key (400) and no token reaches idempotency_keys", async () => {
    const email = freshEmail();
    expect(
      (await api("POST", "/v1/auth/signup", { body: { email, password: PASSWORD, name: "Ida" } }))
        .status,
    ).toBe(201);
    const key = freshKey();
    const login = (headers: Record<string, string> = {}) =>
      api("POST", "/v1/auth/login", { body: { email, password: PASSWORD }, headers });
    const refused = await login({ "idempotency-key": key });
    expect(refused.status).toBe(400);
    expect(errorCode(refused)).toBe("VALIDATION_FAILED");
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({ path: "Idempotency-Key" }),
    ]);
    const session = await login();
    expect(session.status).toBe(200);
    const refresh = await api("POST", "/v1/auth/refresh", {
      body: { refreshToken: session.body.refreshToken },
      headers: { "idempotency-key": key },
    });
    expect(refresh.status).toBe(400);
    expect(errorCode(refresh)).toBe("VALIDATION_FAILED");
    // Refused before the rotation: the refresh token still works.
    const rotated = await api("POST", "/v1/auth/refresh", {
      body: { refreshToken: session.body.refreshToken },
    });
    expect(rotated.status).toBe(200);

    expect(await sql("SELECT 1 FROM idempotency_keys WHERE key = $1", [key])).toEqual([]);
    for (const token of [
      session.body.accessToken,
      session.body.refreshToken,
      rotated.body.accessToken,
      rotated.body.refreshToken,
    ]) {
      const holding = await sql(
        "SELECT 1 FROM idempotency_keys WHERE strpos(coalesce(body, ''), $1) > 0 OR strpos(request_hash, $1) > 0",
        [token],
      );
      expect(holding).toEqual([]);
    }
  });

  it("an anonymous key belongs to its request: another sign-up with it neither gets nor blocks the first's answer", async () => {
    const key = freshKey();
    const signUp = (email: string) =>
      api("POST", "/v1/auth/signup", {
        body: { email, password: PASSWORD, name: "Ann" },
        headers: { "idempotency-key": key },
      });
    const [first, second] = [freshEmail(), freshEmail()];
    const firstAnswer = await signUp(first);
    expect(firstAnswer.status).toBe(201);
    // Someone else, knowing the key, signs up with it: their own account, not 422, not ours.
    const squatter = await signUp(second);
    expect(squatter.status).toBe(201);
    expect(squatter.headers.get("idempotent-replayed")).toBeNull();
    expect(squatter.body.email).toBe(second);
    expect(squatter.body.id).not.toBe(firstAnswer.body.id);
    // The first client's retry still gets its own answer.
    const retry = await signUp(first);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(firstAnswer.body);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });

  it("a replay is authenticated like the first request: a deleted account's repeat is 401", async () => {
    const member = await createUser("MEMBER");
    const key = freshKey();
    const rename = () =>
      api("PATCH", "/v1/users/me", {
        token: member.token,
        body: { name: "Before deletion" },
        headers: { "idempotency-key": key },
      });
    expect((await rename()).status).toBe(200);
    expect((await rename()).headers.get("idempotent-replayed")).toBe("true");
    expect((await api("DELETE", "/v1/users/me", { token: member.token })).status).toBe(204);
    const replay = await rename();
    expect(replay.status).toBe(401);
    expect(errorCode(replay)).toBe("UNAUTHORIZED");
    expect(replay.headers.get("idempotent-replayed")).toBeNull();
  });
});
