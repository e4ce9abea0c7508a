/** A 429 is waited out (its Retry-After) at most this many times per call. */
const RATE_LIMITED_RETRIES = 10;

/** The few API calls the demo scripts make, against a running Try-it (npm start). */
export class DemoClient {
  constructor(readonly base: string) {}

  async call<T>(
    method: string,
    path: string,
    opts: {
      token?: string;
      json?: unknown;
      bytes?: Uint8Array;
      type?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: RequestInit["body"];
    if (opts.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.bytes) {
      headers["content-type"] = opts.type ?? "application/octet-stream";
      body = opts.bytes;
    }
    let res = await fetch(`${this.base}${path}`, { method, headers, body });
    // Rate limits hold on `npm start` too (sign-ups and logins per address): a demo that makes
    // dozens of accounts from one machine waits as the API says, like any polite client.
    for (let retry = 1; res.status === 429 && retry <= RATE_LIMITED_RETRIES; retry++) {
      const seconds = Math.max(1, Number(res.headers.get("retry-after")) || 1);
      console.log(`[demo] ${method} ${path}: rate limited, waiting ${seconds} s (Retry-After)`);
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      res = await fetch(`${this.base}${path}`, { method, headers, body });
    }
    const text = await res.text();
    // Not every answer is ours: a proxy in front (wrangler dev's, a CDN's) may answer in text.
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // keep the text
    }
    return { status: res.status, body: parsed as T };
  }

  /** The call must answer `expected`, or the script stops with what the API said. */
  async expect<T>(
    expected: number,
    method: string,
    path: string,
    opts: Parameters<DemoClient["call"]>[2] = {},
  ): Promise<T> {
    const res = await this.call<T>(method, path, opts);
    if (res.status !== expected) {
      throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    return res.body;
  }

  async login(email: string, password: string): Promise<string> {
    const res = await this.expect<{ accessToken: string }>(200, "POST", "/v1/auth/login", {
      json: { email, password },
    });
    return res.accessToken;
  }
}
