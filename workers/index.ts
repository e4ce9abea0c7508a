import { connect } from "../db/client";
import { durableObjectGates } from "./adapters/cloudflare/gates";
import { metricsFor } from "./adapters/cloudflare/metrics";
import { cloudflareRuntime } from "./adapters/cloudflare/runtime";
import { SlackNotifier } from "./adapters/slack/notifier";
import { cacheFor } from "./adapters/upstash/for-config";
import { newApp } from "./app";
import { invalidateTrial } from "./cache/invalidate";
import { parseConfig } from "./config";
import { persistDecisions } from "./queues/decisions/handler";
import { log } from "../core/log";
import { countSlackSends, observeQueueLag } from "./queues/metrics";
import { enqueueNotifications } from "./notifications/enqueue";
import { Pacer } from "./notifications/pacing";
import { sendNotifications } from "./queues/notifications/handler";
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
    if (batch.queue === NOTIFICATIONS_QUEUE) {
      const started = Date.now();
      const result = await sendNotifications(batch.messages, {
        connect: () => connect(config.database),
        notifier: new SlackNotifier(config.slack),
        pacer: slackPacer,
      });
      countSlackSends(metricsFor(env), result);
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
    const started = Date.now();
    const result = await persistDecisions(batch.messages, {
      connect: () => connect(config.database),
      // Lists by status are cached: a status the gate announced must show up in them.
      onTrialStatusWritten: async (trialIds) => {
        const cache = cacheFor(config);
        await Promise.all(trialIds.map((id) => invalidateTrial(cache, id)));
      },
      afterApplicationsWritten: async (conn, events) => {
        observeQueueLag(metricsFor(env), events);
        await enqueueNotifications(conn, env.NOTIFICATIONS_QUEUE, events);
      },
      deadLetter: async (body, reason) => {
        await env.DECISIONS_DLQ.send({ reason, body }, { contentType: "json" });
      },
      // The gate logs what it did; "unchanged" (already released) is the retried case.
      releasePlace: async (trialId, applicationId, reason) => {
        await durableObjectGates(env.TRIAL_GATE).get(trialId).release(applicationId, reason);
      },
    });
    log.info("queue.decisions", {
      ...result,
      messages: batch.messages.length,
      ms: Date.now() - started,
    });
  },

  async scheduled(controller, env, _ctx) {
    const config = parseConfig(env as unknown as Record<string, unknown>);
    await runScheduled(
      controller.cron,
      controller.scheduledTime,
      config.database,
      cacheFor(config),
      durableObjectGates(env.TRIAL_GATE),
      env.NOTIFICATIONS_QUEUE,
      metricsFor(env),
    );
  },
} satisfies ExportedHandler<Env>;
