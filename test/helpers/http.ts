import { exports } from "cloudflare:workers";

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  /** Sent as JSON unless `raw` is given. */
  body?: unknown;
  raw?: BodyInit;
  headers?: Record<string, string>;
}

/** One request through the real Worker entry (routing, middleware, bindings and all). */
export async function api<T = any>(
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<ApiResponse<T>> {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  let body: BodyInit | undefined = opts.raw;
  if (opts.body !== undefined && body === undefined) {
    body = JSON.stringify(opts.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const res = await exports.default.fetch(
    new Request(`http://tryit.test${path}`, { method, headers, body }),
  );
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Asserts the contract's error shape and returns the code. */
export function errorCode(res: ApiResponse): string {
  const e = (res.body as { error?: { code?: unknown; message?: unknown; details?: unknown } })
    ?.error;
  if (
    !e ||
    typeof e.code !== "string" ||
    typeof e.message !== "string" ||
    !Array.isArray(e.details)
  ) {
    throw new Error(`not an API error body: ${JSON.stringify(res.body)}`);
  }
  return e.code;
}
