import { expect } from "vitest";
import { ROLES, type Role } from "../../../core/vocabulary/roles";
import { createUser } from "./fixtures";
import { api, errorCode } from "./http";

export interface GuardOptions {
  /** The roles the route admits; every other role must get 403. */
  allowed: readonly Role[];
  /** Sent as JSON, so a body check can never answer before the auth check does. */
  body?: unknown;
}

const GARBAGE_TOKEN = "not.a-real.token";

/**
 * Asserts a route's guard: 401 without a token, 401 with a garbage token, 403 FORBIDDEN for
 * every role not allowed, and no 401 or role 403 for the allowed ones (what they get after
 * the guard — 404 for a made-up id, 400 for a body — is the route's own test's business).
 * Users are made fresh for each call, so a route that changes its caller (DELETE
 * /users/me) cannot spoil another check.
 */
export async function expectGuarded(method: string, path: string, options: GuardOptions) {
  const send = (token?: string) =>
    api(method, path, {
      ...(token !== undefined && { token }),
      ...(options.body !== undefined && { body: options.body }),
    });
  const where = `${method} ${path}`;

  const anonymous = await send();
  expect(anonymous.status, `${where} without a token`).toBe(401);
  expect(errorCode(anonymous)).toBe("UNAUTHORIZED");

  const garbage = await send(GARBAGE_TOKEN);
  expect(garbage.status, `${where} with a garbage token`).toBe(401);
  expect(errorCode(garbage)).toBe("UNAUTHORIZED");

  for (const role of ROLES) {
    const user = await createUser(role);
    const res = await send(user.token);
    if (options.allowed.includes(role)) {
      expect(res.status, `${where} as ${role} (allowed)`).not.toBe(401);
      if (res.status === 403) expect(errorCode(res), `${where} as ${role}`).not.toBe("FORBIDDEN");
    } else {
      expect(res.status, `${where} as ${role} (not allowed)`).toBe(403);
      expect(errorCode(res)).toBe("FORBIDDEN");
    }
  }
}
