import { inArray } from "drizzle-orm";
import type { DecidedApplication, GateEvent } from "../../../core/first-come/types";
import { describeError, log } from "../../../core/log";
import { type Database, isDatabaseUnavailable } from "../../../db/client";
import { users } from "../../../db/schema";
import type { IncomingMessage } from "../incoming-message";
import type { ParkDeadLetter } from "./dead-letters";

/**
 * Deliveries after which a row that still fails is given up on. Below wrangler.toml's
 * max_retries (10) on purpose: the consumer must see the last failure itself, release the
 * place and dead-letter with the reason, before the queue would park the message silently.
 */
export const MAX_ATTEMPTS = 8;

const USER_FK = "applications_user_id_users_id_fk";

export interface CompensationDeps {
  /** Give an application's place back to its trial's gate (idempotent there). */
  releasePlace(trialId: string, applicationId: string, reason: string): Promise<void>;
  /** Park a message that can never be processed, with the reason, and never retry it. */
  deadLetter: ParkDeadLetter;
}

interface Item {
  message: IncomingMessage;
  event: GateEvent;
}

/**
 * Only a WON or WAITLISTED application keeps someone else out, and a PENDING one would take
 * part in the draw: that is what is given back (a PENDING one simply leaves the draw).
 */
function holdsPlace(application: DecidedApplication): boolean {
  return (
    application.status === "WON" ||
    application.status === "WAITLISTED" ||
    application.status === "PENDING"
  );
}

/**
 * The place of an event that can never be persisted goes back to the gate (the next in line
 * is promoted), then the message is parked with its reason and acked. If either step fails
 * nothing is acked: the caller retries and the next delivery compensates again, which is
 * harmless because the gate answers "unchanged" for an application already released.
 */
export async function compensate(
  item: Item,
  reason: string,
  deps: CompensationDeps,
): Promise<boolean> {
  const { event, message } = item;
  const release = event.type === "application" && holdsPlace(event.application);
  try {
    if (release) await deps.releasePlace(event.application.trialId, event.application.id, reason);
    await deps.deadLetter(message.body, reason);
  } catch (err) {
    log.error("decisions.compensation_failed", {
      eventId: event.eventId,
      reason,
      error: describeError(err),
    });
    return false;
  }
  message.ack();
  log.warn("decisions.compensated", {
    eventId: event.eventId,
    applicationId: event.type === "application" ? event.application.id : null,
    released: release,
    reason,
  });
  return true;
}

/**
 * Events whose member's account is gone, found with one query for the whole batch. A place
 * held for a deleted (or never existing) account is released instead of written. A CANCELLED
 * event for an account whose row is missing can never be inserted (foreign key) and holds
 * nothing: it is parked without a release, so compensation cannot feed itself forever.
 */
export async function setAsideLostAccounts<T extends Item>(
  db: Database,
  items: readonly T[],
  deps: CompensationDeps,
  retry: (item: T) => void,
): Promise<{ remaining: T[]; deadLettered: number; retried: number }> {
  const userIds = [
    ...new Set(
      items.flatMap((i) => (i.event.type === "application" ? [i.event.application.userId] : [])),
    ),
  ];
  if (userIds.length === 0) return { remaining: [...items], deadLettered: 0, retried: 0 };
  const found = await db
    .select({ id: users.id, deletedAt: users.deletedAt })
    .from(users)
    .where(inArray(users.id, userIds));
  const deleted = new Set(found.filter((u) => u.deletedAt !== null).map((u) => u.id));
  const existing = new Set(found.map((u) => u.id));

  const remaining: T[] = [];
  let deadLettered = 0;
  let retried = 0;
  for (const item of items) {
    const reason = lostAccountReason(item.event, deleted, existing);
    if (!reason) {
      remaining.push(item);
    } else if (await compensate(item, reason, deps)) {
      deadLettered++;
    } else {
      retry(item);
      retried++;
    }
  }
  return { remaining, deadLettered, retried };
}

function lostAccountReason(
  event: GateEvent,
  deleted: ReadonlySet<string>,
  existing: ReadonlySet<string>,
): string | null {
  if (event.type !== "application") return null;
  const { userId } = event.application;
  const missing = !existing.has(userId);
  if (holdsPlace(event.application)) {
    if (missing) return "member account missing";
    if (deleted.has(userId)) return "member account deleted";
    return null;
  }
  return missing ? "member account missing" : null;
}

/**
 * Why a row that failed on its own will never succeed, or null to retry it. An outage is
 * never a reason: the database coming back will take it.
 */
export function permanentFailure(item: Item, err: unknown): string | null {
  if (isForeignKeyViolation(err, USER_FK)) return "member account missing";
  if (isDatabaseUnavailable(err)) return null;
  // Only Postgres refusing the data is poison; a failure after the write (say, the
  // notifications hook's queue) must never cost a member the place.
  if (item.message.attempts >= MAX_ATTEMPTS && sqlState(err) !== null) {
    return `gave up after ${item.message.attempts} attempts: ${describeError(err)}`;
  }
  return null;
}

/** Postgres foreign_key_violation (drizzle wraps the driver's error in `cause`). */
function isForeignKeyViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; cause?: unknown } | undefined;
  if (e?.code === "23503") return e.constraint === constraint;
  return e?.cause ? isForeignKeyViolation(e.cause, constraint) : false;
}

/** The SQLSTATE of a Postgres error, wrapped or not; null for anything else. */
function sqlState(err: unknown): string | null {
  const e = err as { code?: unknown; cause?: unknown } | undefined;
  if (typeof e?.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return e?.cause ? sqlState(e.cause) : null;
}
