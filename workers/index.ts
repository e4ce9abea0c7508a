import { log } from "../core/log";
import { connect } from "../db/client";
import { durableObjectGates } from "./adapters/cloudflare/gates";
import { metricsFor } from "./adapters/cloudflare/metrics";
import { durableObjectRevocations } from "./adapters/cloudflare/revocations";
import { cloudflareRuntime } from "./adapters/cloudflare/runtime";
import { cacheFor } from "./adapters/upstash/for-config";
import { newApp } from "./app";
import { parseConfig } from "./config";
import { Pacer } from "./notifications/pacing";
import { queueDeadLetters } from "./queues/decisions/dead-letters";
import { persistDecisions } from "./queues/decisions/handler";
import { countSlackSends } from "./queues/metrics";
import { sendNotifications } from "./queues/notifications/handler";
import { wirePipeline } from "./queues/pipeline";
import { runScheduled } from "./scheduled";

export { RevocationList } from "../durable-objects/revocation-list/revocation-list";
export { TrialGate } from "../durable-objects/trial-gate/trial-gate";

const app = newApp(cloudflareRuntime);

const DECISIONS_QUEUE = "try-it-decisions";
const NOTIFICATIONS_QUEUE = "try-it-notifications";
// Lives as long as the isolate: the notifications consumer runs one batch at a time.
const slackPacer = new Pacer();

/** Thin entry: wiring only. Each handler checks the configuration first. */
export default {
  fetch: app.fetch,

  async queue(batch, env, _ctx) {
    const config = parseConfig(env as unknown as Record<string, unknown>);
    const metrics = metricsFor(env);
    const pipeline = wirePipeline({
      connect: () => connect(config.database),
      cache: cacheFor(config),
      gates: durableObjectGates(env.TRIAL_GATE),
      metrics,
      slack: config.slack,
      pacer: slackPacer,
      deadLetter: queueDeadLetters(env.DECISIONS_DLQ),
      // The queue's own consumer (below) sends: the binding only takes the messages.
      notificationQueue: () => env.NOTIFICATIONS_QUEUE,
    });
    const started = Date.now();
    if (batch.queue === NOTIFICATIONS_QUEUE) {
      const result = await sendNotifications(batch.messages, pipeline.notifications);
      countSlackSends(metrics, result);
      log.info("queue.notifications", {
        ...result,
        messages: batch.messages.length,
        ms: Date.now() - started,
      });
      return;
    }
    if (batch.queue !== DECISIONS_QUEUE) {
      log.error("queue.unknown", { queue: batch.queue, messages: batch.messages.length });
      batch.retryAll();
      return;
    }
    const result = await persistDecisions(batch.messages, pipeline.decisions);
    log.info("queue.decisions", {
      ...result,
      messages: batch.messages.length,
      ms: Date.now() - started,
    });
  },

  async scheduled(controller, env, ctx) {
    const config = parseConfig(env as unknown as Record<string, unknown>);
    const revocations = durableObjectRevocations(env.REVOCATIONS, config.accessTokenTtlSeconds);
    await runScheduled(
      controller.cron,
      controller.scheduledTime,
      config.database,
      cacheFor(config),
      durableObjectGates(env.TRIAL_GATE),
      env.NOTIFICATIONS_QUEUE,
      metricsFor(env),
      // A strike that restricts a member ends their tokens (docs/decisions/0036).
      {
        revokeUntilNow: (userId) => revocations.revokeUntilNow(userId),
        waitUntil: (p) => ctx.waitUntil(p),
      },
    );
  },
} satisfies ExportedHandler<Env>;
