import { describeError, log } from "../core/log.ts";
import { keepMsFor, RevocationView } from "../workers/auth/revocations.ts";
import { eachIsolated } from "../workers/lib/isolated.ts";
import { countSlackSends } from "../workers/queues/metrics.ts";
import { RECONCILE_CRON, runScheduled, STATUS_SYNC_CRON } from "../workers/scheduled/index.ts";
import { DAILY_STATS_CRON } from "../workers/scheduled/stats/index.ts";
import { fanOutCancellation, pendingFanOuts } from "./cancel-fanout.ts";
import { deadlinesDue } from "./kv-confirmations.ts";
import { drawsDue } from "./kv-draw.ts";
import { sweepPendingNotifications } from "./notifications.ts";
import { drainOutbox } from "./outbox.ts";
import { kvRevocationStore } from "./revocation-store.ts";
import type { DenoServices } from "./runtime.ts";

/**
 * The scheduled work of the Deno target, on the same cron expressions as wrangler.toml.
 * The minute job does what Cloudflare's queues do for us there: it drains whatever the
 * background drain left in the KV outbox (a crash between commit and persist, Postgres
 * down) and re-sends notifications that are still PENDING.
 */
export const JOBS = {
  minute: STATUS_SYNC_CRON,
  reconcile: RECONCILE_CRON,
  daily: DAILY_STATS_CRON,
} as const;

export type JobName = keyof typeof JOBS;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

/** False when a step failed (it is logged); the other steps still ran. */
export async function runJob(
  services: DenoServices,
  name: JobName,
  at = Date.now(),
): Promise<boolean> {
  const results: boolean[] = [];
  if (name === "minute") {
    // Each step on its own: a failed drain must not stop the status sync, nor the reverse.
    results.push(
      await step("cancellations", async () => {
        // A cancellation cut short tells its remaining holders before the drain runs; one
        // trial's fan-out failing holds back no other trial's.
        await eachIsolated(
          { job: "cancel-fanout", idOf: (id) => id, metrics: services.metrics },
          await pendingFanOuts(services.kv),
          async (trialId) => {
            const told = await fanOutCancellation(services.kv, trialId);
            log.info("cron.cancel_fanout", { trialId, told });
          },
        );
      }),
    );
    results.push(
      await step("draws", async () => {
        // A draw nobody touched since its window ended: reading the gate makes it.
        await eachIsolated(
          { job: "draw", idOf: (id) => id, metrics: services.metrics },
          await drawsDue(services.kv, at),
          async (trialId) => {
            await services.gates.get(trialId).snapshot();
            log.info("cron.draw", { trialId });
          },
        );
      }),
    );
    results.push(
      await step("deadlines", async () => {
        // Confirmation deadlines passed or passing before the next run: timed in this
        // process (after a restart nobody else is timing them; a passed one fires at once).
        for (const { trialId, at: deadline } of await deadlinesDue(services.kv, at + 60_000)) {
          services.deadlines.arm(trialId, deadline);
        }
      }),
    );
    results.push(
      await step("outbox", async () => {
        const started = Date.now();
        const summary = await drainOutbox(services.kv, services.pipeline.decisions, {
          metrics: services.metrics,
        });
        log.info("cron.outbox_drain", { ...summary, ms: Date.now() - started });
      }),
    );
    results.push(
      await step("notifications", async () => {
        const tally = await sweepPendingNotifications(
          services.database.connection(),
          services.pipeline.notifications,
        );
        if (tally) {
          countSlackSends(services.metrics, tally);
          log.info("cron.notifications_sweep", { ...tally });
        }
      }),
    );
  }
  results.push(
    await step(name, async () => {
      await runScheduled(
        JOBS[name],
        at,
        services.config.database,
        services.cache,
        services.gates,
        services.notifications,
        services.metrics,
        // A strike that restricts a member ends their tokens (docs/decisions/0036): published
        // on the KV revocation list, which every serving process reads within a second.
        {
          revokeUntilNow: (userId) => jobRevocations(services).revokeUntilNow(userId),
          waitUntil: (p) => services.background.run(p),
        },
      );
    }),
  );
  return results.every(Boolean);
}

/** The jobs' own view of the revocation list, one per process: they only publish to it. */
const jobViews = new WeakMap<DenoServices, RevocationView>();
function jobRevocations(services: DenoServices): RevocationView {
  let view = jobViews.get(services);
  if (!view) {
    view = new RevocationView(
      kvRevocationStore(services.kv),
      keepMsFor(services.config.accessTokenTtlSeconds),
    );
    jobViews.set(services, view);
  }
  return view;
}

async function step(name: string, work: () => Promise<void>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (err) {
    log.error("cron.failed", { job: name, error: describeError(err) });
    return false;
  }
}

/** Deno Deploy runs these from the code itself: no schedule lives anywhere else. */
export function registerCrons(services: DenoServices): void {
  for (const [name, schedule] of Object.entries(JOBS) as [JobName, string][]) {
    Deno.cron(`try-it ${name}`, schedule, async () => {
      // A throw marks the run failed on Deno Deploy's cron dashboard; the steps logged why.
      if (!(await runJob(services, name))) throw new Error(`cron job ${name}: a step failed`);
    });
  }
}
