// Secrets are not in wrangler.toml, so `wrangler types` cannot see them: declare them here.
declare namespace Cloudflare {
  interface Env {
    DATABASE_URL: string;
    PG_WS_PROXY?: string;
    JWT_SECRET: string;
    RECEIPT_SIGNING_KEY: string;
    RECEIPT_PUBLIC_KEYS?: string;
    PERSONAL_DATA_KEYS: string;
    PERSONAL_DATA_KEY_ID: string;
    PUBLIC_URL?: string;
    REFRESH_TOKEN_TTL_SECONDS?: string;
    UPSTASH_REDIS_REST_URL?: string;
    UPSTASH_REDIS_REST_TOKEN?: string;
    SLACK_BOT_TOKEN?: string;
    SLACK_WEBHOOK_URL?: string;
    SLACK_API_BASE_URL?: string;
    METRICS_TOKEN?: string;
    LOG_LEVEL?: string;
    S3_ENDPOINT?: string;
    S3_BUCKET?: string;
    S3_REGION?: string;
    S3_ACCESS_KEY_ID?: string;
    S3_SECRET_ACCESS_KEY?: string;
  }
}
