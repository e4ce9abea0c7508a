/**
 * The test suites' one way to call the API, whatever carries the request: the workerd suite
 * hands its requests to the Worker entry in-process (test/support/workerd/http.ts), the contract suite
 * sends them over HTTP to a running server (test/support/contract/client.ts).
 */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  /** Sent as JSON unless `raw` is given. */
  body?: unknown;
  raw?: RequestInit["body"];
  headers?: Record<string, string>;
}

export type Api = <T = any>(
  method: string,
  path: string,
  opts?: CallOptions,
) => Promise<ApiResponse<T>>;

/** An Api over a transport that turns (path, init) into a Response. */
export function apiOver<O extends CallOptions>(
  send: (path: string, init: RequestInit, opts: O) => Promise<Response>,
) {
  return async <T = any>(method: string, path: string, opts = {} as O): Promise<ApiResponse<T>> => {
    const headers = new Headers(opts.headers);
    if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
    let body: RequestInit["body"] = opts.raw;
    if (opts.body !== undefined && body === undefined) {
      body = JSON.stringify(opts.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const res = await send(path, { method, headers, body }, opts);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
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
    throw new Error(`not an API error body (${res.status}): ${JSON.stringify(res.body)}`);
  }
  return e.code;
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 100, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
