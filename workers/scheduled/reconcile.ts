import { and, eq, gt, lte, sql } from "drizzle-orm";
import { applicationEvent, outcomeOfRow } from "../../core/first-come/events";
import type { Application } from "../../core/first-come/types";
import { log } from "../../core/log";
import type { Metrics } from "../../core/ports/metrics";
import type { TrialGates } from "../../core/ports/trial-gate";
import type { Database } from "../../db/client";
import { applications } from "../../db/schema";
import { batchThenEach, eachIsolated } from "../lib/isolated";
import { queuePendingNotifications, recordNotifications } from "../notifications/enqueue";
import { upsertApplications } from "../queues/decisions/application-rows";
import type { NotificationQueue } from "../queues/notifications/message";

/** The name its failures are logged and counted under (workers/lib/isolated.ts). */
export const RECONCILE_JOB = "reconcile";

export interface ReconcileLimits {
  /** Trials checked per run: the rest are taken by the next runs, round robin. */
  maxTrials: number;
  /** Ledger rows asked of a gate per call. */
  pageSize: number;
  /** Ledger calls per run, all trials together: one RPC each, well under subrequest limits. */
  maxPages: number;
  /** How long a CLOSED or CANCELLED trial stays worth checking after it changed or ended. */
  windowMs: number;
  /** The cron's period, which turns the scheduled time into a round-robin slice number. */
  periodMs: number;
}

export const RECONCILE_LIMITS: ReconcileLimits = {
  maxTrials: 50,
  pageSize: 500,
  maxPages: 200,
  windowMs: 24 * 60 * 60 * 1000,
  periodMs: 5 * 60 * 1000,
};

/** A Postgres row the gate never decided: reported for a person to look at, never deleted. */
export interface UnknownRow {
  trialId: string;
  applicationId: string;
  seq: number;
}

export interface ReconcileSummary {
  trialsChecked: number;
  /** Which slice of the eligible trials this run took, out of how many. */
  slice: number;
  slices: number;
  rowsRepaired: number;
  unknownRows: UnknownRow[];
  /** Same id and version as the gate but other content, or a newer version than the gate. */
  conflicts: number;
  failedTrials: number;
  /** The page budget ran out before every chosen trial was read to its end. */
  truncated: boolean;
  ms: number;
}

/**
 * Makes Postgres equal the gates' ledgers for the trials that can still change (OPEN) or
 * changed lately (CLOSED or CANCELLED in the last day): rows lost or left behind by the
 * queue are written again through the consumer's version-guarded upsert, so it can never
 * undo a newer write. Rows the gate does not know are only reported. A restored row is
 * announced like the event it stands for (see `restore`): no decision goes untold because
 * its queue message was lost, and none is told twice when the message turns up after all.
 *
 * Which trials: the eligible ones ordered by id, cut into slices of `maxTrials`, and the
 * scheduled time picks the slice (tick mod slices). Every trial is checked once per
 * `slices` runs without storing when it was last checked, so no schema change is needed.
 */
export async function reconcileTrials(
  db: Database,
  gates: TrialGates,
  notifications: NotificationQueue,
  now: Date,
  limits: ReconcileLimits = RECONCILE_LIMITS,
  metrics?: Metrics,
): Promise<ReconcileSummary> {
  const started = Date.now();
  const since = new Date(now.getTime() - limits.windowMs);
  const eligible = sql`(status = 'OPEN' OR (status IN ('CLOSED', 'CANCELLED')
                        AND (updated_at >= ${since} OR closes_at >= ${since})))`;
  const counted = await db.execute(sql`SELECT count(*)::int AS n FROM trials WHERE ${eligible}`);
  const total = Number((counted.rows[0] as { n: unknown } | undefined)?.n ?? 0);
  const slices = Math.max(1, Math.ceil(total / limits.maxTrials));
  const slice = Math.floor(now.getTime() / limits.periodMs) % slices;
  const chosen = await db.execute(sql`
    SELECT id FROM trials WHERE ${eligible}
     ORDER BY id LIMIT ${limits.maxTrials} OFFSET ${slice * limits.maxTrials}`);

  const summary: ReconcileSummary = {
    trialsChecked: 0,
    slice,
    slices,
    rowsRepaired: 0,
    unknownRows: [],
    conflicts: 0,
    failedTrials: 0,
    truncated: false,
    ms: 0,
  };
  const budget = { pages: limits.maxPages };
  const deps: ReconcileDeps = { db, gates, notifications, metrics };
  const trialIds = chosen.rows.map((row) => String((row as { id: unknown }).id));
  // One trial (its gate or its rows) failing must not stop the others.
  const run = await eachIsolated(
    { job: RECONCILE_JOB, idOf: (id) => id, metrics },
    trialIds,
    async (trialId) => {
      if (budget.pages <= 0) {
        summary.truncated = true;
        return;
      }
      const result = await reconcileTrial(deps, trialId, limits.pageSize, budget);
      summary.trialsChecked++;
      summary.rowsRepaired += result.repaired;
      summary.conflicts += result.conflicts;
      summary.unknownRows.push(...result.unknown);
      if (!result.complete) summary.truncated = true;
      if (result.repaired > 0 || result.unknown.length > 0 || result.conflicts > 0) {
        log.warn("reconcile.drift", {
          trialId,
          repaired: result.repaired,
          conflicts: result.conflicts,
          unknown: result.unknown.map((u) => u.applicationId),
        });
      }
    },
  );
  summary.failedTrials = run.failed.length;
  summary.ms = Date.now() - started;
  return summary;
}

interface TrialResult {
  repaired: number;
  conflicts: number;
  unknown: UnknownRow[];
  /** False when the page budget stopped the walk before the end of the ledger. */
  complete: boolean;
}

interface ReconcileDeps {
  db: Database;
  gates: TrialGates;
  notifications: NotificationQueue;
  metrics: Metrics | undefined;
}

async function reconcileTrial(
  deps: ReconcileDeps,
  trialId: string,
  pageSize: number,
  budget: { pages: number },
): Promise<TrialResult> {
  const { db } = deps;
  const gate = deps.gates.get(trialId);
  const result: TrialResult = { repaired: 0, conflicts: 0, unknown: [], complete: false };
  let afterSeq = 0;
  while (budget.pages > 0) {
    budget.pages--;
    const page = await gate.ledger(afterSeq, pageSize);
    const lastSeq = page.at(-1)?.seq;
    // Compare the same seq range on both sides: rows past the ledger's end are unknown.
    const rows = await db
      .select({
        id: applications.id,
        seq: applications.seq,
        status: applications.status,
        version: applications.version,
      })
      .from(applications)
      .where(
        and(
          eq(applications.trialId, trialId),
          gt(applications.seq, afterSeq),
          // A full page: up to its last seq. The last page: everything after, tail included.
          page.length === pageSize && lastSeq !== undefined
            ? lte(applications.seq, lastSeq)
            : undefined,
        ),
      );
    const stored = new Map(rows.map((r) => [r.id, r]));
    const behind: Application[] = [];
    for (const app of page) {
      const row = stored.get(app.id);
      if (!row || row.version < app.version) behind.push(app);
      else if (row.version > app.version || row.status !== app.status || row.seq !== app.seq)
        result.conflicts++;
    }
    const known = new Set(page.map((a) => a.id));
    for (const r of rows) {
      if (!known.has(r.id)) result.unknown.push({ trialId, applicationId: r.id, seq: r.seq });
    }
    result.repaired += await repair(deps, trialId, behind);
    if (page.length < pageSize) {
      result.complete = true;
      break;
    }
    afterSeq = lastSeq ?? afterSeq;
  }
  return result;
}

/** One transaction for the page; if it is refused, row by row so one bad row holds back only itself. */
async function repair(
  deps: ReconcileDeps,
  trialId: string,
  behind: Application[],
): Promise<number> {
  const report = {
    job: RECONCILE_JOB,
    idOf: (app: Application) => `application ${app.id} of trial ${trialId}`,
    metrics: deps.metrics,
  };
  const run = await batchThenEach(report, behind, (apps) => restore(deps, [...apps]));
  return run.done.length;
}

/**
 * Writes the rows and records their outcomes together (a restored row never lacks its
 * notification), then queues them through the consumer's own path. The outcome is the one
 * the lost event carried (outcomeOfRow), so the notification key (application, outcome) is
 * the one the consumer uses: whichever of the two comes second finds the row recorded and
 * the sender finds it no longer PENDING, so the member hears once.
 */
async function restore(deps: ReconcileDeps, apps: Application[]): Promise<void> {
  const events = apps.map((a) => applicationEvent(outcomeOfRow(a), a));
  await deps.db.transaction(async (tx) => {
    await upsertApplications(tx, apps);
    await recordNotifications(tx, events);
  });
  await queuePendingNotifications(deps.db, deps.notifications, events);
}
