import type { BlobStore } from "../core/ports/blob-store.ts";
import type { Cache } from "../core/ports/cache.ts";
import type { TrialGates } from "../core/ports/trial-gate.ts";
import { DatabasePool } from "../db/client.ts";
import { s3BlobStore } from "../workers/adapters/s3/blob-store.ts";
import { cacheFor } from "../workers/adapters/upstash/for-config.ts";
import { keepMsFor, RevocationView } from "../workers/auth/revocations.ts";
import { type Config, parseConfig } from "../workers/config.ts";
import type { Runtime } from "../workers/context.ts";
import { Pacer } from "../workers/notifications/pacing.ts";
import type { NotificationQueue } from "../workers/queues/notifications/message.ts";
import { type Pipeline, wirePipeline } from "../workers/queues/pipeline.ts";
import { Background } from "./background.ts";
import { DeadlineTimers } from "./deadline-timers.ts";
import { distantKv } from "./distant-kv.ts";
import { nodeModulesDocsAsset } from "./docs-assets.ts";
import { fileBlobStore } from "./file-blob-store.ts";
import { kvTrialGates } from "./kv-gate.ts";
import { denoLiveRooms } from "./live-room/rooms.ts";
import { inProcessNotificationQueue } from "./notifications.ts";
import { kvDeadLetters, OutboxDrainer } from "./outbox.ts";
import { PrometheusRegistry } from "./prometheus.ts";
import { denoRateLimiter } from "./rate-limiter.ts";
import { kvRevocationStore } from "./revocation-store.ts";

/**
 * Everything the Deno target shares across requests, built once per isolate from the
 * environment: the KV gates (whose commits kick the outbox drainer), the consumer's and the
 * sender's dependencies (the same code the Cloudflare queues run), cache and blob store.
 */
export interface DenoServices {
  config: Config;
  kv: Deno.Kv;
  /** One per isolate: every request, consumer batch and job shares its connections. */
  database: DatabasePool;
  gates: TrialGates;
  cache: Cache;
  blobs: BlobStore;
  background: Background;
  drainer: OutboxDrainer;
  metrics: PrometheusRegistry;
  /** This process's timers for confirmation deadlines (the minute cron re-arms them). */
  deadlines: DeadlineTimers;
  /** The in-process stand-in for the notifications queue (reconciliation hands it work too). */
  notifications: NotificationQueue;
  /** Both consumers' dependencies, wired as on Cloudflare (workers/queues/pipeline.ts). */
  pipeline: Pipeline;
}

export function denoServices(env: Record<string, string>, kv: Deno.Kv): DenoServices {
  const config = parseConfig(env);
  const database = new DatabasePool(config.database);
  const background = new Background();
  const metrics = new PrometheusRegistry();
  const cache = cacheFor(config);
  // The drainer needs the gates (compensation releases places) and the gates kick the
  // drainer: the cycle is closed through this late-bound reference.
  let drainer: OutboxDrainer | undefined;
  // The distance is a benchmark's simulation (0 unless BENCH_MODE): only the gates pay it.
  const deadlines = new DeadlineTimers();
  const gates = kvTrialGates(distantKv(kv, config.gate.simulatedDistanceMs), {
    afterCommit: () => {
      if (drainer) background.run(drainer.kick(), "outbox.drain");
    },
    onDeadline: (trialId, at) => deadlines.arm(trialId, at),
  });
  deadlines.attach(gates);
  const pipeline = wirePipeline({
    connect: async () => database.connection(),
    cache,
    gates,
    metrics,
    slack: config.slack,
    pacer: new Pacer(),
    deadLetter: kvDeadLetters(kv),
    // No queue: the rows are sent at once in this isolate (deno/notifications.ts).
    notificationQueue: (sender) => inProcessNotificationQueue(sender, background, metrics),
  });
  drainer = new OutboxDrainer(kv, pipeline.decisions);
  return {
    config,
    kv,
    database,
    gates,
    cache,
    blobs: blobStoreFor(config, env),
    background,
    drainer,
    deadlines,
    metrics,
    notifications: pipeline.notificationQueue,
    pipeline,
  };
}

/** S3 (R2's S3 API or any S3) when configured; a local directory for development. */
function blobStoreFor(config: Config, env: Record<string, string>): BlobStore {
  if (config.s3) return s3BlobStore(config.s3);
  if (env.TRYIT_BLOB_DIR) return fileBlobStore(env.TRYIT_BLOB_DIR);
  throw new Error(
    "no image store: set S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY " +
      "(or TRYIT_BLOB_DIR for a local directory)",
  );
}

/** Deno's implementations of the ports for one request. */
export function denoRuntime(services: DenoServices): Runtime {
  // One per process: the apply limit's counters live in it (docs/decisions/0020).
  const limiter = denoRateLimiter(services.kv);
  // One per process too: its copy of the revocation list (docs/decisions/0024).
  const revocations = new RevocationView(
    kvRevocationStore(services.kv),
    keepMsFor(services.config.accessTokenTtlSeconds),
  );
  // One per process: the rooms hold this isolate's sockets. They read KV as far away as the
  // gates do (a benchmark's simulated distance, 0 otherwise): on Deploy they would.
  const liveRooms = denoLiveRooms(distantKv(services.kv, services.config.gate.simulatedDistanceMs));
  return {
    deps(c) {
      // Deno.serve hands the connection info to app.fetch as its second argument.
      const info = c.env as Partial<Deno.ServeHandlerInfo<Deno.NetAddr>>;
      return {
        config: services.config,
        db: services.database.handle(),
        gates: services.gates,
        cache: services.cache,
        blobs: services.blobs,
        limiter,
        revocations,
        liveRooms,
        metrics: services.metrics,
        metricsText: () => services.metrics.render(),
        clientIp: info.remoteAddr?.hostname ?? "unknown",
        docsAsset: nodeModulesDocsAsset,
        waitUntil: (p) => services.background.run(p),
      };
    },
  };
}
