import { env, exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";

/**
 * What an operator sees: one JSON line per request with its id, and never a secret. Every
 * line the app writes while these requests run is captured (the Worker shares this isolate's
 * console) and searched for each secret the requests carried or the app holds.
 */
let lines: string[] = [];
beforeEach(() => {
  lines = [];
  for (const method of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
});
afterEach(() => vi.restoreAllMocks());

const parsed = () =>
  lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

describe("logs", () => {
  it("one line per request: id, method, route pattern, status, latency; the caller's x-request-id is kept", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const res = await api("GET", `/v1/trials/${trial.id}`, {
      headers: { "x-request-id": "drop-42.req-7" },
    });
    expect(res.headers.get("x-request-id")).toBe("drop-42.req-7");
    const line = parsed().find((l) => l.event === "request" && l.requestId === "drop-42.req-7");
    expect(line).toMatchObject({
      level: "info",
      method: "GET",
      route: "/v1/trials/:id",
      status: 200,
    });
    expect(typeof line?.ms).toBe("number");
    // A refusal is logged with its status too, and an id is made when none is sent.
    const missing = await api("GET", `/v1/trials/${crypto.randomUUID()}`);
    const id = missing.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(parsed().find((l) => l.requestId === id)).toMatchObject({ status: 404 });
  });

  it("never writes a password, a token or a configured secret, on success or on failure", async () => {
    const email = `logs-${crypto.randomUUID()}@tryit.test`;
    const password = `pw-${crypto.randomUUID()}`;
    const newPassword = `pw2-${crypto.randomUUID()}`;
    const ip = { "cf-connecting-ip": "10.99.0.1" };
    expect(
      (
        await api("POST", "/v1/auth/signup", {
          body: { email, password, name: "Logs", role: "MEMBER" },
          headers: ip,
        })
      ).status,
    ).toBe(201);
    await api("POST", "/v1/auth/login", { body: { email, password: "wrong-password-123" } });
    const login = await api("POST", "/v1/auth/login", { body: { email, password } });
    const { accessToken, refreshToken } = login.body as Record<string, string>;
    await api("GET", "/v1/users/me", { token: accessToken });
    await api("POST", "/v1/auth/refresh", { body: { refreshToken } });
    await api("POST", "/v1/auth/refresh", { body: { refreshToken } }); // reuse: refused
    await api("PUT", "/v1/users/me/password", {
      token: accessToken,
      body: { currentPassword: password, newPassword },
    });
    await api("POST", "/v1/auth/login", {
      raw: `{"email":"${email}","password":"${password}"`,
      headers: { "content-type": "application/json" },
    });
    await api("GET", "/v1/users/me", { token: `${accessToken}tampered` });
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    await api("POST", `/v1/trials/${trial.id}/applications`, { token: accessToken, body: {} });
    const { ticket } = (
      await api("POST", `/v1/trials/${trial.id}/live-tickets`, { token: company.token })
    ).body as { ticket: string };
    await exports.default.fetch(
      new Request(`http://tryit.test/v1/trials/${trial.id}/live?ticket=${ticket}`),
    );
    await new Promise((r) => setTimeout(r, 200)); // background work logs too

    const vars = env as unknown as Record<string, string | undefined>;
    const secrets = [
      password,
      newPassword,
      accessToken,
      refreshToken,
      vars.JWT_SECRET,
      vars.SLACK_BOT_TOKEN,
      // The receipt key's private part, and a live-room ticket (a credential in a URL).
      receiptPrivatePart(vars.RECEIPT_SIGNING_KEY),
      // The keys that seal winners' addresses (docs/decisions/0034).
      ...Object.values(JSON.parse(vars.PERSONAL_DATA_KEYS ?? "{}") as Record<string, string>),
      ticket,
      inject("redisRest")?.token,
    ].filter((s): s is string => typeof s === "string" && s.length > 0);
    expect(secrets.length).toBeGreaterThanOrEqual(9);
    expect(lines.length).toBeGreaterThan(8);
    for (const secret of secrets) {
      const leaks = lines.filter((l) => l.includes(secret));
      expect(leaks, `a log line carries a secret`).toEqual([]);
    }
  });
});

/** `d` of the configured receipt key (a JWK in JSON). */
function receiptPrivatePart(jwk: string | undefined): string | undefined {
  return jwk ? (JSON.parse(jwk) as { d?: string }).d : undefined;
}
