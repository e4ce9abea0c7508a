import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { cloudflareRuntime } from "../../../workers/adapters/cloudflare/runtime";
import { newApp } from "../../../workers/app";
import { RATE_LIMITS } from "../../../workers/rate-limits";
import { type ApiResponse, errorCode } from "./http";

export interface CallOptions {
  ip: string;
  token?: string;
  body?: unknown;
  /** Sent as is, with a JSON content type unless `contentType` says otherwise. */
  raw?: BodyInit;
  contentType?: string;
}

/**
 * The binding of `name` with the limit wrangler.toml gives it (vitest.config.ts binds each as
 * `<NAME>_AS_DEPLOYED`; the unsuffixed ones never trip, for the rest of the suite).
 */
export function deployedBinding(name: string): RateLimit {
  const binding = (env as unknown as Record<string, unknown>)[`${name}_AS_DEPLOYED`];
  if (!binding) throw new Error(`no ${name}_AS_DEPLOYED binding: see vitest.config.ts`);
  return binding as RateLimit;
}

/** The run's bindings with every rate limit as deployed, then `overrides` laid over them. */
export function deployedEnv(overrides: Record<string, unknown> = {}): Env {
  const limits = Object.fromEntries(
    Object.values(RATE_LIMITS).map((spec) => [spec.binding, deployedBinding(spec.binding)]),
  );
  return { ...env, ...limits, ...overrides } as Env;
}

/**
 * The real app (every route and middleware) under the rate limits that ship in wrangler.toml.
 * The env object is made once per app: the runtime caches its config and limiter by it.
 */
export function deployedApp(overrides: Record<string, unknown> = {}) {
  const app = newApp(cloudflareRuntime);
  const testEnv = deployedEnv(overrides);
  return async function call<T = any>(
    method: string,
    path: string,
    opts: CallOptions,
  ): Promise<ApiResponse<T>> {
    const headers = new Headers({ "cf-connecting-ip": opts.ip });
    if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (body !== undefined) headers.set("content-type", opts.contentType ?? "application/json");
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`http://tryit.test${path}`, { method, headers, body }),
      testEnv,
      ctx,
    );
    const text = await res.text();
    await waitOnExecutionContext(ctx);
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
}

/** A client address of its own for each test, so tests never share a counter. */
export function uniqueIp(): string {
  // 64 random bits under the documentation prefix: no collision with another test.
  const groups = Array.from(crypto.getRandomValues(new Uint16Array(4)), (n) => n.toString(16));
  return `2001:db8::${groups.join(":")}`;
}

/**
 * The binding's windows (as wrangler simulates them) are fixed and aligned to the epoch: a
 * test that counts N attempts must not straddle a boundary, or the counter restarts half-way.
 * Waits for a fresh window when fewer than `needMs` are left in the current one.
 */
export async function awayFromWindowEdge(windowSeconds: number, needMs = 8_000): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}

/** The standard rule of a rate limit (what the vars-free Worker runs with). */
export function standard(key: keyof typeof RATE_LIMITS): { limit: number; period: number } {
  const [limit, period] = RATE_LIMITS[key].standard.split("/").map(Number);
  return { limit: limit ?? 0, period: period ?? 0 };
}

/** 429 RATE_LIMITED in the contract's error shape; on Workers, Retry-After is the period. */
export function expectRateLimited(res: ApiResponse, period: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(errorCode(res)).toBe("RATE_LIMITED");
  expect(res.headers.get("retry-after")).toBe(String(period));
}

export async function sha256Hex(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}
