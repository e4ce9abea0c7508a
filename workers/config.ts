import * as v from "valibot";

/**
 * Runtime configuration, parsed and checked at every entry (fetch, queue, scheduled, the
 * Deno server): a missing secret fails loudly at the first invocation, not deep inside a
 * request half-way through a write.
 */
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
  ADMIN_EMAILS: v.optional(v.string(), ""),
  APP_VERSION: v.optional(v.string(), "dev"),
});

export interface Config {
  database: { url: string; wsProxy: string | undefined };
  jwtSecret: Uint8Array;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  adminEmails: ReadonlySet<string>;
  version: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const cache = new WeakMap<object, Config>();

export function parseConfig(env: Record<string, unknown>): Config {
  const hit = cache.get(env);
  if (hit) return hit;
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
    adminEmails: new Set(
      o.ADMIN_EMAILS.split(",")
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    ),
    version: o.APP_VERSION,
  };
  cache.set(env, config);
  return config;
}
