import type { Cache } from "../../core/ports/cache";
import type { Metrics } from "../../core/ports/metrics";
import type { TrialGates } from "../../core/ports/trial-gate";
import type { Connection } from "../../db/client";
import { type SlackConfig, SlackNotifier } from "../adapters/slack/notifier";
import { invalidateTrial } from "../cache/invalidate";
import { enqueueNotifications } from "../notifications/enqueue";
import type { Pacer } from "../notifications/pacing";
import type { ParkDeadLetter } from "./decisions/dead-letters";
import type { PersistDeps } from "./decisions/handler";
import { observeQueueLag } from "./metrics";
import type { SendDeps } from "./notifications/handler";
import type { NotificationQueue } from "./notifications/message";

/** What a platform hands the pipeline: its own primitives, nothing the pipeline decides. */
export interface PipelineDeps {
  /** A Postgres connection for one batch (each consumer closes its own). */
  connect(): Promise<Connection>;
  cache: Cache;
  gates: TrialGates;
  metrics: Metrics;
  slack: SlackConfig;
  /** Lives as long as the isolate: Slack's per-channel pacing outlasts any one batch. */
  pacer: Pacer;
  /** Where decisions that can never be persisted are parked (dead-letters.ts). */
  deadLetter: ParkDeadLetter;
  /**
   * The notifications queue, given the sender it feeds: Cloudflare's binding ignores it (the
   * queue's own consumer sends), Deno's in-process queue sends with it.
   */
  notificationQueue(sender: SendDeps): NotificationQueue;
}

/** Both consumers' dependencies, and the queue result messages go to. */
export interface Pipeline {
  decisions: PersistDeps;
  notifications: SendDeps;
  /** Reconciliation hands the decisions it restores to the same queue. */
  notificationQueue: NotificationQueue;
}

/**
 * The decisions pipeline, wired once for both runtimes: a persisted decision invalidates the
 * cached lists its trial status shows in, is timed (queue lag), records and queues its
 * result message, and a decision that can never be persisted gives its place back to the
 * gate and is parked. The entries only adapt their platform (Cloudflare's Queue batches,
 * Deno's KV outbox and in-process queue) and hand over what this needs.
 */
export function wirePipeline(deps: PipelineDeps): Pipeline {
  const notifications: SendDeps = {
    connect: deps.connect,
    notifier: new SlackNotifier(deps.slack),
    pacer: deps.pacer,
  };
  const notificationQueue = deps.notificationQueue(notifications);
  const decisions: PersistDeps = {
    connect: deps.connect,
    // Lists by status are cached: a status the gate announced must show up in them.
    onTrialStatusWritten: async (trialIds) => {
      await Promise.all(trialIds.map((id) => invalidateTrial(deps.cache, id)));
    },
    afterApplicationsWritten: async (conn, events) => {
      observeQueueLag(deps.metrics, events);
      await enqueueNotifications(conn, notificationQueue, events);
    },
    deadLetter: deps.deadLetter,
    // The gate logs what it did; "unchanged" (already released) is the retried case.
    releasePlace: async (trialId, applicationId, reason) => {
      await deps.gates.get(trialId).release(applicationId, reason);
    },
  };
  return { decisions, notifications, notificationQueue };
}
