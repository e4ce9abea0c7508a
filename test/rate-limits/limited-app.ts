import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Redis } from "@upstash/redis/cloudflare";
import { cloudflareRuntime } from "../../workers/adapters/cloudflare/runtime";
import { newApp } from "../../workers/app";
import type { ApiResponse } from "../helpers/http";

type Vars = Record<string, string | undefined>;

/** The Upstash REST bridge in front of the local Redis, as the test run wires it. */
export function redisBinding(): { url: string; token: string } {
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = env as unknown as Vars;
  if (!url || !token) {
    throw new Error("these tests need UPSTASH_REDIS_REST_URL/TOKEN (the Redis bridge)");
  }
  return { url, token };
}

export function redis(): Redis {
  return new Redis({ ...redisBinding(), enableTelemetry: false });
}

export interface CallOptions {
  ip: string;
  token?: string;
  body?: unknown;
  /** Sent as is, with a JSON content type. */
  raw?: string;
}

/**
 * The real app (every route and middleware) under its own bindings: the run's bindings
 * with `vars` laid over them, so a test sets its own tiny limits. The env object is made
 * once, as parseConfig caches by object.
 */
export function limitedApp(vars: Vars) {
  const app = newApp(cloudflareRuntime);
  const testEnv = { ...env, ...vars } as Env;
  return async function call<T = any>(
    method: string,
    path: string,
    opts: CallOptions,
  ): Promise<ApiResponse<T>> {
    const headers = new Headers({ "cf-connecting-ip": opts.ip });
    if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (body !== undefined) headers.set("content-type", "application/json");
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`http://tryit.test${path}`, { method, headers, body }),
      testEnv,
      ctx,
    );
    const text = await res.text();
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
}

/** A client address of its own for each test, so tests never share a counter. */
export function uniqueIp(): string {
  // 64 random bits under the documentation prefix: no collision with another test or with
  // an earlier run whose counters are still in Redis.
  const groups = Array.from(crypto.getRandomValues(new Uint16Array(4)), (n) => n.toString(16));
  return `2001:db8::${groups.join(":")}`;
}

/**
 * Windows are fixed and aligned to the epoch: a test that counts N attempts must not
 * straddle a boundary, or the counter restarts half-way. Waits for a fresh window when
 * fewer than `needMs` are left in the current one.
 */
export async function awayFromWindowEdge(windowSeconds: number, needMs = 15_000): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}

export async function sha256Hex(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}
