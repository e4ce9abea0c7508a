import { sql } from "drizzle-orm";
import type {
  ConfirmationEvent,
  DecidedApplication,
  GateEvent,
  TrialStatusEvent,
} from "../../../core/first-come/types";
import { describeError, log } from "../../../core/log";
import { type Connection, isDatabaseUnavailable } from "../../../db/client";
import type { IncomingMessage } from "../incoming-message";
import { upsertApplications } from "./application-rows";
import {
  type CompensationDeps,
  compensate,
  permanentFailure,
  setAsideLostAccounts,
} from "./compensation";
import { insertSealedAddresses } from "./confirmations";
import { parseGateEvent } from "./message";

/** Wired once for both runtimes by workers/queues/pipeline.ts; tests build their own. */
export interface PersistDeps extends CompensationDeps {
  connect(): Promise<Connection>;
  /** Told which trials' catalog status changed, after the write (cache invalidation). */
  onTrialStatusWritten?(trialIds: string[]): Promise<void>;
  /** After the applications are written, before any ack: a throw retries the messages. */
  afterApplicationsWritten?(conn: Connection, events: GateEvent[]): Promise<void>;
}

const MAX_BACKOFF_SECONDS = 300;

/** 2, 4, 8 … seconds: a database that is down is not hammered by every redelivery. */
function backoffSeconds(attempts: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.max(1, attempts));
}

/**
 * Persist a batch of gate events to Postgres: one upsert statement for all the batch's
 * applications (keyed by id, guarded by version) and one update for its trial statuses
 * (guarded by status version), so redeliveries, duplicates and out-of-order deliveries all
 * converge on the gate's latest truth. Every message is acked or retried on its own.
 */
export async function persistDecisions(
  messages: readonly IncomingMessage[],
  deps: PersistDeps,
): Promise<{ written: number; retried: number; deadLettered: number }> {
  let valid: { message: IncomingMessage; event: GateEvent }[] = [];
  let deadLettered = 0;
  for (const message of messages) {
    const event = parseGateEvent(message.body);
    if (event) {
      valid.push({ message, event });
      continue;
    }
    try {
      await deps.deadLetter(message.body, "invalid gate event");
      message.ack();
      deadLettered++;
    } catch (err) {
      log.error("decisions.dead_letter_failed", {
        messageId: message.id,
        error: describeError(err),
      });
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
  if (valid.length === 0) return { written: 0, retried: 0, deadLettered };

  const retry = (items: typeof valid) => {
    for (const { message } of items)
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  };

  let conn: Connection;
  try {
    conn = await deps.connect();
  } catch (err) {
    log.warn("decisions.db_unavailable", { messages: valid.length, error: describeError(err) });
    retry(valid);
    return { written: 0, retried: valid.length, deadLettered };
  }

  let compensationRetries = 0;
  try {
    try {
      // Places held for accounts deleted since the decision go back to the gate, unwritten.
      const lost = await setAsideLostAccounts(conn.db, valid, deps, (item) => retry([item]));
      valid = lost.remaining;
      deadLettered += lost.deadLettered;
      compensationRetries = lost.retried;
      await writeEvents(
        conn,
        valid.map((v) => v.event),
        deps,
      );
      for (const { message } of valid) message.ack();
      await notifyStatusWritten(
        deps,
        valid.map((v) => v.event),
      );
      return { written: valid.length, retried: compensationRetries, deadLettered };
    } catch (err) {
      if (isDatabaseUnavailable(err)) {
        log.warn("decisions.db_unavailable", { messages: valid.length, error: describeError(err) });
        retry(valid);
        return { written: 0, retried: valid.length, deadLettered };
      }
      // A data error in one row must not hold back the others: isolate it row by row.
      log.warn("decisions.batch_failed", { messages: valid.length, error: describeError(err) });
    }
    let written = 0;
    let retried = compensationRetries;
    for (const item of valid) {
      try {
        await writeEvents(conn, [item.event], deps);
        item.message.ack();
        await notifyStatusWritten(deps, [item.event]);
        written++;
      } catch (err) {
        log.error("decisions.row_failed", {
          eventId: item.event.eventId,
          attempts: item.message.attempts,
          error: describeError(err),
        });
        // A row that can never be written (account gone, retries used up) gives its place back.
        const reason = permanentFailure(item, err);
        if (reason && (await compensate(item, reason, deps))) {
          deadLettered++;
          continue;
        }
        retry([item]);
        retried++;
      }
    }
    return { written, retried, deadLettered };
  } finally {
    await conn.close();
  }
}

async function notifyStatusWritten(deps: PersistDeps, events: GateEvent[]): Promise<void> {
  const trialIds = [
    ...new Set(events.flatMap((e) => (e.type === "trial-status" ? [e.trialId] : []))),
  ];
  if (trialIds.length === 0 || !deps.onTrialStatusWritten) return;
  try {
    await deps.onTrialStatusWritten(trialIds);
  } catch (err) {
    log.warn("decisions.invalidate_failed", { trials: trialIds.length, error: describeError(err) });
  }
}

async function writeEvents(
  conn: Connection,
  events: GateEvent[],
  deps: PersistDeps,
): Promise<void> {
  const apps: DecidedApplication[] = [];
  const statuses: TrialStatusEvent[] = [];
  const confirmations: ConfirmationEvent[] = [];
  for (const e of events) {
    if (e.type === "application") apps.push(e.application);
    else if (e.type === "confirmation") confirmations.push(e);
    else statuses.push(e);
  }
  if (apps.length > 0 || confirmations.length > 0) {
    await upsertApplications(conn.db, [...apps, ...confirmations.map((e) => e.application)]);
    // After its application row (the address refers to it); a redelivery inserts nothing.
    await insertSealedAddresses(conn.db, confirmations);
    await deps.afterApplicationsWritten?.(conn, events);
  }
  if (statuses.length > 0) await applyStatuses(conn, latestPerTrial(statuses));
}

function latestPerTrial(list: TrialStatusEvent[]): TrialStatusEvent[] {
  const byTrial = new Map<string, TrialStatusEvent>();
  for (const e of list) {
    const seen = byTrial.get(e.trialId);
    if (!seen || seen.version < e.version) byTrial.set(e.trialId, e);
  }
  return [...byTrial.values()];
}

/** One UPDATE … FROM (VALUES …) for every trial in the batch; older versions change nothing. */
async function applyStatuses(conn: Connection, events: TrialStatusEvent[]): Promise<void> {
  const rows = sql.join(
    events.map(
      (e) =>
        sql`(${e.trialId}::uuid, ${e.status}, ${e.closedReason}::text, ${e.version}::int, ${new Date(e.at)}::timestamptz)`,
    ),
    sql`, `,
  );
  await conn.db.execute(sql`
    UPDATE trials AS t
       SET status = v.status, closed_reason = v.closed_reason, status_version = v.version,
           updated_at = v.at
      FROM (VALUES ${rows}) AS v(id, status, closed_reason, version, at)
     WHERE t.id = v.id AND t.status_version < v.version`);
}
