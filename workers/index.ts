import { connect } from "../db/client";
import { cacheFor, cloudflareRuntime } from "./adapters/cloudflare/runtime";
import { newApp } from "./app";
import { invalidateTrial } from "./cache/invalidate";
import { parseConfig } from "./config";
import { persistDecisions } from "./consumers/persist-decisions";
import { log } from "./lib/log";
import { runScheduled } from "./scheduled";

export { TrialGate } from "../durable-objects/trial-gate/trial-gate";

const app = newApp(cloudflareRuntime);

const DECISIONS_QUEUE = "try-it-decisions";

/** Thin entry: wiring only. Each handler checks the configuration first. */
export default {
  fetch: app.fetch,

  async queue(batch, env, _ctx) {
    const config = parseConfig(env as unknown as Record<string, unknown>);
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
      deadLetter: async (body, reason) => {
        await env.DECISIONS_DLQ.send({ reason, body }, { contentType: "json" });
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
    );
  },
} satisfies ExportedHandler<Env>;
