/**
 * Every rate limit of the API (API.md: sign-up, login, refresh, apply and uploads answer 429
 * past their limit; so do Slack link codes, asked for and typed back), declared once; config,
 * both runtimes and the tests derive from it.
 *
 * - `name`: stable, part of every counter's key.
 * - `variable`: sets the limit on Deno, as `<requests>/<seconds>`. Workers refuse it: there the
 *   limit is the binding's (docs/decisions/0020).
 * - `binding`: the Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml) that
 *   counts it on Cloudflare. test/rate-limits/wrangler-bindings.test.ts fails unless
 *   wrangler.toml declares exactly these bindings with `standard` as their limit and period.
 * - `standard`: the default on both runtimes. Periods are 10 or 60 s, the only two the
 *   binding has, so both runtimes enforce the same numbers out of the box.
 * - `hotPath`: charged on the apply hot path, where nothing may cost a network round trip:
 *   Deno counts it in the isolate, not in KV.
 */
export const RATE_LIMITS = {
  loginPerIp: {
    name: "login-ip",
    variable: "RATE_LIMIT_LOGIN_PER_IP",
    binding: "LIMIT_LOGIN_PER_IP",
    standard: "20/60",
    hotPath: false,
  },
  loginPerEmail: {
    name: "login-email",
    variable: "RATE_LIMIT_LOGIN_PER_EMAIL",
    binding: "LIMIT_LOGIN_PER_EMAIL",
    standard: "5/60",
    hotPath: false,
  },
  signupPerIp: {
    name: "signup-ip",
    variable: "RATE_LIMIT_SIGNUP_PER_IP",
    binding: "LIMIT_SIGNUP_PER_IP",
    standard: "5/60",
    hotPath: false,
  },
  refreshPerIp: {
    name: "refresh-ip",
    variable: "RATE_LIMIT_REFRESH_PER_IP",
    binding: "LIMIT_REFRESH_PER_IP",
    standard: "60/60",
    hotPath: false,
  },
  applyPerMember: {
    name: "apply-member",
    variable: "RATE_LIMIT_APPLY_PER_MEMBER",
    binding: "LIMIT_APPLY_PER_MEMBER",
    standard: "30/10",
    hotPath: true,
  },
  uploadPerUser: {
    name: "upload-user",
    variable: "RATE_LIMIT_UPLOAD_PER_USER",
    binding: "LIMIT_UPLOAD_PER_USER",
    standard: "20/60",
    hotPath: false,
  },
  /** Slack link codes asked for (each is a DM to someone's Slack account), per member. */
  slackCodePerUser: {
    name: "slack-code-user",
    variable: "RATE_LIMIT_SLACK_CODE_PER_USER",
    binding: "LIMIT_SLACK_CODE_PER_USER",
    standard: "3/60",
    hotPath: false,
  },
  /** Slack link codes typed back, per member: a code also dies after its own five tries. */
  slackVerifyPerUser: {
    name: "slack-verify-user",
    variable: "RATE_LIMIT_SLACK_VERIFY_PER_USER",
    binding: "LIMIT_SLACK_VERIFY_PER_USER",
    standard: "10/60",
    hotPath: false,
  },
} as const satisfies Record<string, RateLimitSpec>;

export interface RateLimitSpec {
  name: string;
  variable: `RATE_LIMIT_${string}`;
  binding: `LIMIT_${string}`;
  standard: `${number}/${10 | 60}`;
  hotPath: boolean;
}

export type RateLimitKey = keyof typeof RATE_LIMITS;
export type RateLimitVariable = (typeof RATE_LIMITS)[RateLimitKey]["variable"];

/** `"20/60"` → 20 requests per 60 seconds. */
export function parseRate(text: string): { limit: number; windowSeconds: number } {
  const [limit, windowSeconds] = text.split("/").map(Number);
  if (!limit || !windowSeconds) throw new Error(`not a rate: ${text}`);
  return { limit, windowSeconds };
}
