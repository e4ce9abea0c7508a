import * as v from "valibot";
import { type LogLevel, setLogLevel } from "../core/log";
import type { RateRule } from "../core/ports/rate-limiter";
import type { S3Config } from "./adapters/s3/blob-store";
import { type PersonalDataKeys, parsePersonalDataKeys } from "./personal-data/keys";
import { parseRate, RATE_LIMITS, type RateLimitKey, type RateLimitVariable } from "./rate-limits";
import { parseReceiptKeys, type ReceiptKeys } from "./receipts/keys";

/**
 * Runtime configuration, parsed and checked at every entry (fetch, queue, scheduled, the
 * Deno server): a missing secret fails loudly at the first invocation, not deep inside a
 * request half-way through a write.
 */
const RateText = v.pipe(
  v.string(),
  v.regex(/^[1-9]\d{0,5}\/[1-9]\d{0,5}$/, 'must look like "10/60" (requests/seconds)'),
);

// One optional "<requests>/<seconds>" variable per rate limit, defaulting to its standard.
const rateLimitVariables = Object.fromEntries(
  Object.values(RATE_LIMITS).map((spec) => [spec.variable, v.optional(RateText, spec.standard)]),
) as Record<RateLimitVariable, v.OptionalSchema<typeof RateText, string>>;

const ConfigSchema = v.object({
  DATABASE_URL: v.pipe(v.string(), v.regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")),
  PG_WS_PROXY: v.optional(v.pipe(v.string(), v.regex(/^[\w.-]+:\d+$/, "must be host:port"))),
  JWT_SECRET: v.pipe(v.string(), v.minLength(32, "must be at least 32 characters")),
  ACCESS_TOKEN_TTL_SECONDS: v.optional(
    v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(60), v.maxValue(86_400)),
    "900",
  ),
  REFRESH_TOKEN_TTL_SECONDS: v.optional(
    v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(3600)),
    String(30 * 86_400),
  ),
  // The API's public origin (https://api.example.com): absolute links in answers (image URLs,
  // Location) are built from it, never from the request's Host. Unset: the request's origin,
  // for local runs only (lib/origin.ts); production must set it.
  PUBLIC_URL: v.optional(
    v.pipe(
      v.string(),
      v.url("must be a URL"),
      v.check(isHttpOrigin, "must be an http(s) origin: scheme, host and port, no path"),
    ),
  ),
  // Upstash Redis REST endpoint (production) or the repo's REST bridge (dev, tests).
  // Both unset: no cache. (Rate limits never need Redis: docs/decisions/0020.)
  UPSTASH_REDIS_REST_URL: v.optional(v.pipe(v.string(), v.url("must be a URL"))),
  UPSTASH_REDIS_REST_TOKEN: v.optional(v.string()),
  CACHE_TTL_SECONDS: v.optional(
    v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1), v.maxValue(3600)),
    "30",
  ),
  // The most a cache call may add to a request before it counts as a miss.
  CACHE_TIMEOUT_MS: v.optional(
    v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(10), v.maxValue(5000)),
    "150",
  ),
  // Rate limits (workers/rate-limits.ts): RATE_LIMIT_LOGIN_PER_IP and the others, on Deno.
  ...rateLimitVariables,
  // Group commit (docs/decisions/0019): "off" sends every application to its gate alone, the
  // one-at-a-time path kept reachable so the benchmark can compare the two honestly.
  GATE_BATCHING: v.optional(v.picklist(["on", "off"], 'must be "on" or "off"'), "on"),
  // The most applications one gate call carries; a KV gate splits a batch past one commit's
  // limits into several commits on its own.
  GATE_BATCH_MAX: v.optional(
    v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1), v.maxValue(1000)),
    "256",
  ),
  // Benchmarks only: a fixed delay added to every round trip between an isolate and its gate
  // (each Durable Object call; each Deno KV read and commit), to show a gate 50 or 150 ms
  // away. Refused unless BENCH_MODE is "1" as well, so it cannot be switched on by accident.
  BENCH_GATE_DISTANCE_MS: v.optional(
    v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(0), v.maxValue(1000)),
    "0",
  ),
  BENCH_MODE: v.optional(v.picklist(["0", "1"], 'must be "0" or "1"'), "0"),
  // The most sockets a live trial room holds (GET /v1/trials/:id/live): per trial on
  // Cloudflare (one Durable Object), per isolate and trial on Deno. Past it: 503 + Retry-After.
  LIVE_MAX_WATCHERS: v.optional(
    v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1), v.maxValue(30_000)),
    "10000",
  ),
  // Receipts and the signed log head (workers/receipts/keys.ts checks both): the current
  // Ed25519 private key as a JWK with its kid (a secret), and the public JWKs of older keys,
  // a JSON array, kept in GET /.well-known/jwks.json after a rotation.
  RECEIPT_SIGNING_KEY: v.optional(v.string()),
  RECEIPT_PUBLIC_KEYS: v.optional(v.string()),
  // Winners' addresses sealed at rest (workers/personal-data/keys.ts checks both): a JSON
  // object of key id → base64 of 32 random bytes (a secret; old keys stay after a rotation
  // so older values still open), and the id of the key that seals new values.
  PERSONAL_DATA_KEYS: v.optional(v.string()),
  PERSONAL_DATA_KEY_ID: v.optional(v.string()),
  APP_VERSION: v.optional(v.string(), "dev"),
  // Bearer token for GET /metrics where the runtime serves it (Deno); unset: no endpoint.
  METRICS_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, "must be at least 16 characters"))),
  // "warn" drops the per-request lines (a benchmark, a very hot drop); "info" by default.
  LOG_LEVEL: v.optional(
    v.picklist(["info", "warn", "error"], 'must be "info", "warn" or "error"'),
    "info",
  ),
  // Slack result messages: a bot token (direct messages) or an incoming webhook; neither: SKIPPED.
  SLACK_BOT_TOKEN: v.optional(v.string()),
  SLACK_WEBHOOK_URL: v.optional(v.pipe(v.string(), v.url("must be a URL"))),
  SLACK_API_BASE_URL: v.optional(
    v.pipe(v.string(), v.url("must be a URL")),
    "https://slack.com/api",
  ),
  // An S3-compatible image store (R2's S3 API, MinIO) for targets without an R2 binding.
  // All four of endpoint, bucket and the key pair, or none: see s3Settings.
  S3_ENDPOINT: v.optional(
    v.pipe(v.string(), v.url("must be a URL"), v.regex(/^https?:\/\//, "must be http(s)")),
  ),
  // S3's bucket naming rules (R2's are a subset): a typo fails here, not as NoSuchBucket.
  S3_BUCKET: v.optional(
    v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name")),
  ),
  S3_REGION: v.optional(
    v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,32}$/, "must be a region")),
    "auto",
  ),
  S3_ACCESS_KEY_ID: v.optional(v.string()),
  S3_SECRET_ACCESS_KEY: v.optional(v.string()),
});

export interface Config {
  database: { url: string; wsProxy: string | undefined };
  jwtSecret: Uint8Array;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** The origin of absolute links in answers; null: the request's (local runs). */
  publicUrl: string | null;
  version: string;
  logLevel: LogLevel;
  metricsToken: string | null;
  /** Null when no Redis is configured: no read cache. */
  redis: { url: string; token: string } | null;
  cacheTtlSeconds: number;
  cacheTimeoutMs: number;
  /** Every rule of workers/rate-limits.ts, as configured (Deno) or standard (Workers). */
  rateLimits: Record<RateLimitKey, RateRule>;
  slack: { botToken: string | null; webhookUrl: string | null; apiBaseUrl: string };
  gate: {
    /** Group commit on (default) or every application its own gate call. */
    batching: boolean;
    batchMax: number;
    /** Simulated isolate-to-gate round trip (benchmarks only; 0 in production). */
    simulatedDistanceMs: number;
  };
  /** Null when no S3-compatible store is configured (Workers use the R2 binding). */
  s3: S3Config | null;
  live: { maxWatchers: number };
  /** The key that signs receipts and log heads, and every key the JWKS publishes. */
  receipts: ReceiptKeys;
  /** The keys that seal and open winners' addresses (docs/decisions/0034). */
  personalData: PersonalDataKeys;
}

function rateRules(o: v.InferOutput<typeof ConfigSchema>): Config["rateLimits"] {
  const entries = Object.entries(RATE_LIMITS).map(([key, spec]) => {
    const rule: RateRule = {
      name: spec.name,
      ...parseRate(o[spec.variable]),
      hotPath: spec.hotPath,
    };
    return [key, rule];
  });
  return Object.fromEntries(entries) as Config["rateLimits"];
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * All four or none. A half-configured store is refused here: otherwise it would only fail
 * at the first upload, as a signature or bucket error far from the missing variable.
 */
function s3Settings(o: v.InferOutput<typeof ConfigSchema>): S3Config | null {
  const endpoint = o.S3_ENDPOINT;
  const bucket = o.S3_BUCKET;
  const accessKeyId = o.S3_ACCESS_KEY_ID;
  const secretAccessKey = o.S3_SECRET_ACCESS_KEY;
  if (endpoint && bucket && accessKeyId && secretAccessKey) {
    const region = o.S3_REGION;
    return { endpoint: endpoint.replace(/\/+$/, ""), bucket, region, accessKeyId, secretAccessKey };
  }
  const given = {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: accessKeyId,
    S3_SECRET_ACCESS_KEY: secretAccessKey,
  };
  const missing = Object.keys(given).filter((name) => !given[name as keyof typeof given]);
  if (missing.length === Object.keys(given).length) return null;
  throw new ConfigError(
    `invalid configuration: the S3 store is half-configured, missing ${missing.join(", ")}`,
  );
}

function receiptKeys(o: v.InferOutput<typeof ConfigSchema>): ReceiptKeys {
  const parsed = parseReceiptKeys(o.RECEIPT_SIGNING_KEY, o.RECEIPT_PUBLIC_KEYS);
  if (!parsed.ok) throw new ConfigError(`invalid configuration: ${parsed.problem}`);
  return parsed.keys;
}

function personalDataKeys(o: v.InferOutput<typeof ConfigSchema>): PersonalDataKeys {
  const parsed = parsePersonalDataKeys(o.PERSONAL_DATA_KEYS, o.PERSONAL_DATA_KEY_ID);
  if (!parsed.ok) throw new ConfigError(`invalid configuration: ${parsed.problem}`);
  return parsed.keys;
}

/** A simulated gate distance is a benchmark's tool: refused without the bench flag. */
function benchDistance(o: v.InferOutput<typeof ConfigSchema>): number {
  if (o.BENCH_GATE_DISTANCE_MS === 0) return 0;
  if (o.BENCH_MODE !== "1") {
    throw new ConfigError(
      "invalid configuration: BENCH_GATE_DISTANCE_MS slows every gate call and is for " +
        'benchmarks only; it needs BENCH_MODE="1" as well',
    );
  }
  return o.BENCH_GATE_DISTANCE_MS;
}

/**
 * Variables that once meant something and now must not: a deployment still setting one is
 * refused at startup, since ignoring it would silently change what the operator asked for.
 */
const REMOVED_VARIABLES: Record<string, string> = {
  ADMIN_EMAILS:
    "sign-up never grants ADMIN (an address proves nothing until it is verified); grant it " +
    "to an existing account with `npm run admin:grant -- <e-mail or account id>` " +
    "(docs/decisions/0021)",
};

/** Throws a ConfigError naming every removed variable `env` still sets (even empty). */
export function refuseRemovedVariables(env: Record<string, unknown>): void {
  const set = Object.keys(REMOVED_VARIABLES).filter((name) => env[name] !== undefined);
  if (set.length === 0) return;
  const reasons = set.map((name) => `${name} is no longer supported: ${REMOVED_VARIABLES[name]}`);
  throw new ConfigError(`invalid configuration: ${reasons.join("; ")}`);
}

/** `https://api.example.com` or `http://127.0.0.1:8787`, nothing after the authority. */
function isHttpOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === "https:" || url.protocol === "http:") &&
      url.username === "" &&
      url.password === "" &&
      url.pathname === "/" &&
      url.search === "" &&
      url.hash === "" &&
      !/[?#]/.test(text)
    );
  } catch {
    return false;
  }
}

const cache = new WeakMap<object, Config>();

export function parseConfig(env: Record<string, unknown>): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  refuseRemovedVariables(env);
  const result = v.safeParse(ConfigSchema, env);
  if (!result.success) {
    const problems = result.issues.map((i) => `${v.getDotPath(i) ?? "?"}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const o = result.output;
  const config: Config = {
    database: { url: o.DATABASE_URL, wsProxy: o.PG_WS_PROXY || undefined },
    jwtSecret: new TextEncoder().encode(o.JWT_SECRET),
    accessTokenTtlSeconds: o.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: o.REFRESH_TOKEN_TTL_SECONDS,
    publicUrl: o.PUBLIC_URL ? new URL(o.PUBLIC_URL).origin : null,
    version: o.APP_VERSION,
    logLevel: o.LOG_LEVEL,
    metricsToken: o.METRICS_TOKEN ?? null,
    redis:
      o.UPSTASH_REDIS_REST_URL && o.UPSTASH_REDIS_REST_TOKEN
        ? { url: o.UPSTASH_REDIS_REST_URL, token: o.UPSTASH_REDIS_REST_TOKEN }
        : null,
    cacheTtlSeconds: o.CACHE_TTL_SECONDS,
    cacheTimeoutMs: o.CACHE_TIMEOUT_MS,
    rateLimits: rateRules(o),
    slack: {
      botToken: o.SLACK_BOT_TOKEN || null,
      webhookUrl: o.SLACK_WEBHOOK_URL || null,
      apiBaseUrl: o.SLACK_API_BASE_URL.replace(/\/+$/, ""),
    },
    gate: {
      batching: o.GATE_BATCHING === "on",
      batchMax: o.GATE_BATCH_MAX,
      simulatedDistanceMs: benchDistance(o),
    },
    s3: s3Settings(o),
    live: { maxWatchers: o.LIVE_MAX_WATCHERS },
    receipts: receiptKeys(o),
    personalData: personalDataKeys(o),
  };
  cache.set(env, config);
  setLogLevel(config.logLevel);
  return config;
}
