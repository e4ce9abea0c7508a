import type { TestProject } from "vitest/node";
import { newPersonalDataKeys } from "../../../scripts/local-stack/personal-data-keys";
import { resolveTestDatabase } from "../../../scripts/local-stack/postgres/choose-database";
import { migrateDatabase } from "../../../scripts/local-stack/postgres/migrate";
import { newReceiptSigningKey } from "../../../scripts/local-stack/receipt-key";
import { startTestRedisBridge } from "../../../scripts/local-stack/upstash-bridge/test-redis";
import { startWsProxy } from "../../../scripts/local-stack/ws-proxy/ws-proxy";
import { startTarget, type TargetName, targetName } from "./contract-targets";
import { startFakeS3 } from "./fake-s3";
import { startFakeSlack } from "./fake-slack";

declare module "vitest" {
  export interface ProvidedContext {
    target: TargetName;
    baseUrls: string[];
    /** For fixtures (users straight into Postgres) and for checking what was persisted. */
    databaseUrl: string;
    jwtSecret: string;
    kvPath: string | null;
    targetEnv: Record<string, string>;
    /** The configuration the target was started with, before its runtime's own additions. */
    targetVars: Record<string, string>;
    fakeSlack: string;
  }
}

const JWT_SECRET = "contract-test-secret-that-is-long-enough-0123456789";

/**
 * One fresh database and Redis database per run, the fakes for Slack and S3, then the
 * target named by CONTRACT_TARGET with the same configuration on either runtime.
 */
export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch((e) => console.error(e));
  };
  try {
    const database = await resolveTestDatabase();
    stops.push(() => database.stop());
    await migrateDatabase(database.url);
    const url = new URL(database.url);
    const proxy = await startWsProxy({
      target: { host: url.hostname, port: Number(url.port || 5432) },
    });
    stops.push(() => proxy.close());
    const redis = await startTestRedisBridge();
    if (redis) stops.push(() => redis.close());
    const slack = await startFakeSlack();
    stops.push(() => slack.close());
    const s3 = await startFakeS3();
    stops.push(() => s3.close());

    const vars: Record<string, string> = {
      DATABASE_URL: database.url,
      PG_WS_PROXY: proxy.address,
      JWT_SECRET,
      // A fresh receipt key per run: test/fill-log verifies receipts against the served JWKS.
      RECEIPT_SIGNING_KEY: newReceiptSigningKey("contract-test"),
      // A fresh key per run; test/personal-data seals fixtures with it from this side.
      ...newPersonalDataKeys("contract-test"),
      CACHE_TIMEOUT_MS: "2000",
      // Low enough that test/live-room fills a room (503 LIVE_ROOM_FULL), high enough for
      // its flood's 1,100 sockets on one trial.
      LIVE_MAX_WATCHERS: "1200",
      // The servers print to this run's output: no line per request there.
      LOG_LEVEL: "warn",
      // Deno serves GET /metrics with it (test/ops/metrics.deno-only.test.ts); Workers do not.
      METRICS_TOKEN: "contract-metrics-token-0123456789",
      SLACK_API_BASE_URL: slack.url,
      SLACK_BOT_TOKEN: "xoxb-test-fake-slack-token",
      S3_ENDPOINT: s3.url,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      ...(redis
        ? { UPSTASH_REDIS_REST_URL: redis.url, UPSTASH_REDIS_REST_TOKEN: redis.token }
        : {}),
    };
    // All requests come from 127.0.0.1: the target's rate limits are raised out of reach
    // (targets.ts); rate-limits/as-deployed.contract.test.ts starts one with the limits as they ship.
    const target = await startTarget(targetName(), vars, { rateLimits: "raised" });
    stops.push(() => target.stop());
    console.log(`[contract] target ${target.name} on ${target.baseUrls.join(", ")}`);

    project.provide("target", target.name);
    project.provide("baseUrls", target.baseUrls);
    project.provide("databaseUrl", database.url);
    project.provide("jwtSecret", JWT_SECRET);
    project.provide("kvPath", target.kvPath);
    project.provide("targetEnv", target.env);
    project.provide("targetVars", vars);
    project.provide("fakeSlack", slack.url);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
