import type { TestProject } from "vitest/node";
import { resolveTestDatabase } from "../../../scripts/local-stack/postgres/choose-database";
import { migrateDatabase } from "../../../scripts/local-stack/postgres/migrate";
import { startTestRedisBridge } from "../../../scripts/local-stack/upstash-bridge/test-redis";
import { startWsProxy } from "../../../scripts/local-stack/ws-proxy/ws-proxy";
import { startFakeS3 } from "./fake-s3";
import { startFakeSlack } from "./fake-slack";
import { startFakeUpstash } from "./fake-upstash";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    wsProxy: string;
    /** The Upstash REST bridge in front of this run's own Redis database; null: caching off. */
    redisRest: { url: string; token: string } | null;
    /** A deliberately broken Upstash for the fail-open tests (test/support/setup/fake-upstash.ts). */
    fakeUpstash: string;
    /** A local Slack that checks and records messages (test/support/setup/fake-slack.ts). */
    fakeSlack: string;
    /** A local S3 bucket that checks signatures like S3 (test/support/setup/fake-s3.ts). */
    fakeS3: {
      url: string;
      bucket: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
    };
  }
}

/**
 * A fresh database for this run (the local server when it answers, embedded PGlite
 * otherwise; under CI=true the server is required), migrated, behind the proxy.
 */
export default async function setup(project: TestProject) {
  const database = await resolveTestDatabase();
  await migrateDatabase(database.url);
  const url = new URL(database.url);
  const proxy = await startWsProxy({
    target: { host: url.hostname, port: Number(url.port || 5432) },
  });
  project.provide("databaseUrl", database.url);
  project.provide("wsProxy", proxy.address);
  console.log(`[test] Postgres: ${database.kind}; proxy on ${proxy.address}`);
  const redis = await startTestRedisBridge();
  project.provide("redisRest", redis ? { url: redis.url, token: redis.token } : null);
  const fakeUpstash = await startFakeUpstash();
  project.provide("fakeUpstash", fakeUpstash.url);
  const fakeSlack = await startFakeSlack();
  project.provide("fakeSlack", fakeSlack.url);
  const fakeS3 = await startFakeS3();
  const { url: s3Url, bucket, region, accessKeyId, secretAccessKey } = fakeS3;
  project.provide("fakeS3", { url: s3Url, bucket, region, accessKeyId, secretAccessKey });
  return async () => {
    await fakeS3.close();
    await fakeSlack.close();
    await fakeUpstash.close();
    await redis?.close();
    await proxy.close();
    await database.stop();
  };
}
