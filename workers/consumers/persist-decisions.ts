import { sql } from "drizzle-orm";
import type { Application, GateEvent, TrialStatusEvent } from "../../core/first-come/types";
import { type Connection, isDatabaseUnavailable } from "../../db/client";
import { applications } from "../../db/schema";
import { describeError, log } from "../lib/log";
import { parseGateEvent } from "./decision-message";

/** The slice of a queue message this consumer uses (Cloudflare's Message satisfies it). */
export interface IncomingMessage {
  readonly id: string;
  readonly body: unknown;
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

export interface PersistDeps {
  connect(): Promise<Connection>;
  /** Told which trials' catalog status changed, after the write (cache invalidation). */
  onTrialStatusWritten?(trialIds: string[]): Promise<void>;
  /** Park a message that can never be processed, with the reason, and never retry it. */
  deadLetter(body: unknown, reason: string): Promise<void>;
}

const MAX_BACKOFF_SECONDS = 300;

/** 2, 4, 8 … seconds: a database that is down is not hammered by every redelivery. */
export function backoffSeconds(attempts: number): number {
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
  const valid: { message: IncomingMessage; event: GateEvent }[] = [];
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

  try {
    try {
      await writeEvents(
        conn,
        valid.map((v) => v.event),
      );
      for (const { message } of valid) message.ack();
      await notifyStatusWritten(
        deps,
        valid.map((v) => v.event),
      );
      return { written: valid.length, retried: 0, deadLettered };
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
    let retried = 0;
    for (const item of valid) {
      try {
        await writeEvents(conn, [item.event]);
        item.message.ack();
        await notifyStatusWritten(deps, [item.event]);
        written++;
      } catch (err) {
        log.error("decisions.row_failed", {
          eventId: item.event.eventId,
          attempts: item.message.attempts,
          error: describeError(err),
        });
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

async function writeEvents(conn: Connection, events: GateEvent[]): Promise<void> {
  const apps: Application[] = [];
  const statuses: TrialStatusEvent[] = [];
  for (const e of events) {
    if (e.type === "application") apps.push(e.application);
    else statuses.push(e);
  }
  if (apps.length > 0) await upsert(conn, latestPerApplication(apps));
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

/** Postgres refuses to update one row twice in a statement: keep each id's newest version. */
function latestPerApplication(list: Application[]): Application[] {
  const byId = new Map<string, Application>();
  for (const a of list) {
    const seen = byId.get(a.id);
    if (!seen || seen.version < a.version) byId.set(a.id, a);
  }
  return [...byId.values()];
}

async function upsert(conn: Connection, rows: Application[]): Promise<void> {
  await conn.db
    .insert(applications)
    .values(
      rows.map((a) => ({
        id: a.id,
        trialId: a.trialId,
        userId: a.userId,
        seq: a.seq,
        status: a.status,
        position: a.position,
        note: a.note,
        appliedAt: new Date(a.appliedAt),
        decidedAt: new Date(a.decidedAt),
        version: a.version,
      })),
    )
    .onConflictDoUpdate({
      target: applications.id,
      set: {
        status: sql`excluded.status`,
        position: sql`excluded.position`,
        decidedAt: sql`excluded.decided_at`,
        version: sql`excluded.version`,
        persistedAt: sql`now()`,
      },
      // Only a newer version changes a row: an old or repeated message is a no-op.
      setWhere: sql`${applications.version} < excluded.version`,
    });
}
