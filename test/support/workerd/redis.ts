import { Redis } from "@upstash/redis/cloudflare";
import { upstashCache } from "../../../workers/adapters/upstash/cache";
import { testConfig } from "./db";

/**
 * The bridge's URL and token from the bindings. The cache tests exist to run against a
 * real Redis: without one they fail here, saying why, rather than passing vacuously.
 */
export function redisRest(): { url: string; token: string } {
  const redis = testConfig().redis;
  if (!redis) {
    throw new Error(
      "UPSTASH_REDIS_REST_URL/TOKEN are not bound: no Redis answered at 127.0.0.1:6379 " +
        "when the test run started (see test/support/setup/workerd-global-setup.ts).",
    );
  }
  return redis;
}

/** The SDK as the app's cache configures it (base64 responses, the SDK's default). */
export function sdk(overrides: { token?: string } = {}): Redis {
  const { url, token } = redisRest();
  return new Redis({
    url,
    token: overrides.token ?? token,
    // Raw strings, as the app's cache reads them: what is stored is what a test sees.
    automaticDeserialization: false,
    enableAutoPipelining: false,
    enableTelemetry: false,
    retry: false,
  });
}

/** One raw Upstash REST call, to see exactly what the bridge answers. */
export async function rawCall(
  path: "" | "/pipeline" | "/multi-exec",
  body: unknown,
  { base64 = true, token }: { base64?: boolean; token?: string | null } = {},
): Promise<{ status: number; body: any }> {
  const rest = redisRest();
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token ?? rest.token}`;
  if (base64) headers["upstash-encoding"] = "base64";
  const res = await fetch(`${rest.url}${path}`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Base64 of a string's UTF-8 bytes, as Upstash encodes results. */
export function b64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export const uniqueKey = (what: string) => `test:${what}:${crypto.randomUUID()}`;

/** The app's cache adapter on the bridge, with the test run's timeout (see vitest.config.ts). */
export function testCache() {
  return upstashCache(redisRest(), { timeoutMs: testConfig().cacheTimeoutMs });
}
