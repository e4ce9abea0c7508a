import type { Context, ExecutionContext } from "hono";
import { errorBody } from "../../errors";
import { accessTokenOf, forgetTokens, refreshTokenOf, saveTokens, type TokenPair } from "./cookies";

/**
 * The pages are a client of the public API (docs/decisions/0038): every read and write a
 * page makes is a request to /v1 through the same app, with the session's bearer token, so
 * validation, authorization, rate limits and presenters exist once, in the routes.
 */

/** The app's own fetch, handed to the pages by newApp (workers/app.ts). */
export type AppFetch = (
  request: Request,
  env: object | undefined,
  ctx: ExecutionContext | undefined,
) => Response | Promise<Response>;

export type ApiAnswer<T> = { status: number; body: T; headers: Headers };

export type PageApi = {
  /** A JSON request to /v1 as the session's user (or anonymously without a session). */
  json<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>>;
  /** Any request to /v1 as the session's user; the answer as it came (for the proxy). */
  raw(
    method: string,
    path: string,
    init: { body?: ArrayBuffer | string | null; headers?: Headers },
  ): Promise<Response>;
};

// The caller's address travels with the inner request: rate limits count per person, not
// per page server (Cloudflare's header; Deno reads the socket's peer from env).
const FORWARDED = ["cf-connecting-ip", "accept-language", "user-agent"];

function executionCtxOf(c: Context): ExecutionContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined; // Deno's entry passes none.
  }
}

export function pageApi(c: Context, appFetch: AppFetch): PageApi {
  const origin = new URL(c.req.url).origin;

  const send = (method: string, path: string, init: RequestInit, token: string | undefined) => {
    const headers = new Headers(init.headers);
    for (const name of FORWARDED) {
      const value = c.req.header(name);
      if (value) headers.set(name, value);
    }
    if (token) headers.set("authorization", `Bearer ${token}`);
    const request = new Request(`${origin}/v1${path}`, { ...init, method, headers });
    return appFetch(request, c.env as object | undefined, executionCtxOf(c));
  };

  // An expired access token is renewed with the refresh token, once per page request however
  // many API calls it makes (a refresh token presented twice ends its family: reuse
  // detection), and the request repeated. The access cookie expires a little before the
  // token, so a page usually renews before any call is refused.
  let token = accessTokenOf(c);
  let renewal: Promise<string | null> | undefined;
  const asUser = async (method: string, path: string, init: RequestInit) => {
    if (!token && refreshTokenOf(c)) {
      renewal ??= renew(c, send);
      token = (await renewal) ?? undefined;
    }
    return send(method, path, init, token);
  };

  return {
    async json<T>(method: string, path: string, body?: unknown) {
      const init: RequestInit =
        body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
      const res = await asUser(method, path, init);
      return { ...(await jsonAnswer<T>(res)), headers: res.headers };
    },
    raw(method, path, init) {
      return asUser(method, path, init);
    },
  };
}

/**
 * The API's answer as a page reads it. Every /v1 route answers JSON, but the runtime itself
 * may not (a plain-text 500 from workerd, an HTML error from a proxy): such an answer
 * becomes a 502 with an error in the API's own shape (whatever status it came with: without
 * a body the page cannot tell what failed), so each page shows the API as unavailable
 * instead of throwing.
 */
async function jsonAnswer<T>(res: Response): Promise<{ status: number; body: T }> {
  const text = await res.text();
  if (!text) return { status: res.status, body: null as T };
  try {
    return { status: res.status, body: JSON.parse(text) as T };
  } catch {
    const message = `the API answered ${res.status} without a JSON body`;
    return { status: 502, body: errorBody("INTERNAL", message) as T };
  }
}

async function renew(
  c: Context,
  send: (
    m: string,
    p: string,
    i: RequestInit,
    t: string | undefined,
  ) => Promise<Response> | Response,
): Promise<string | null> {
  const res = await send(
    "POST",
    "/auth/refresh",
    {
      body: JSON.stringify({ refreshToken: refreshTokenOf(c) }),
      headers: { "content-type": "application/json" },
    },
    undefined,
  );
  const { status, body: tokens } = await jsonAnswer<TokenPair>(res);
  if (status !== 200) {
    // A refresh token that was revoked or rotated elsewhere ends the page session too.
    if (status === 401) forgetTokens(c);
    return null;
  }
  saveTokens(c, tokens);
  return tokens.accessToken;
}
