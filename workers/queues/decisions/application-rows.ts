import { sql } from "drizzle-orm";
import type { DecidedApplication } from "../../../core/first-come/types";
import type { Database } from "../../../db/client";
import { applications } from "../../../db/schema";

/** Postgres refuses to update one row twice in a statement: keep each id's newest version. */
function latestPerApplication(list: readonly DecidedApplication[]): DecidedApplication[] {
  const byId = new Map<string, DecidedApplication>();
  for (const a of list) {
    const seen = byId.get(a.id);
    if (!seen || seen.version < a.version) byId.set(a.id, a);
  }
  return [...byId.values()];
}

/**
 * The one write of the gate's applications into Postgres, shared by the decisions consumer
 * and the reconciliation cron (inside a transaction: hence the Pick): insert, or update only
 * when the gate's version is newer, so any number of writers, repeats and orders converge on
 * the gate's latest truth.
 */
export async function upsertApplications(
  db: Pick<Database, "insert">,
  list: readonly DecidedApplication[],
): Promise<void> {
  // One lock order for every writer: two drainers upserting overlapping batches in different
  // orders deadlock (40P01, seen with two Deno processes draining one outbox).
  const rows = latestPerApplication(list).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (rows.length === 0) return;
  await db
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
        confirmBy: a.confirmBy == null ? null : new Date(a.confirmBy),
        confirmedAt: a.confirmedAt == null ? null : new Date(a.confirmedAt),
        cancelledReason: a.cancelledReason ?? null,
      })),
    )
    .onConflictDoUpdate({
      target: applications.id,
      set: {
        status: sql`excluded.status`,
        position: sql`excluded.position`,
        decidedAt: sql`excluded.decided_at`,
        version: sql`excluded.version`,
        confirmBy: sql`excluded.confirm_by`,
        confirmedAt: sql`excluded.confirmed_at`,
        cancelledReason: sql`excluded.cancelled_reason`,
        persistedAt: sql`now()`,
      },
      // Only a newer version changes a row: an old or repeated message is a no-op.
      setWhere: sql`${applications.version} < excluded.version`,
    });
}
