import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { statsCheckpoints } from "../../../db/schema";

/** Where a batched stats job resumes on its next tick; one row per job in stats_checkpoints. */
export async function readCheckpoint<T extends Record<string, unknown>>(
  db: Database,
  job: string,
): Promise<T | null> {
  const [row] = await db
    .select({ cursor: statsCheckpoints.cursor })
    .from(statsCheckpoints)
    .where(eq(statsCheckpoints.job, job))
    .limit(1);
  return (row?.cursor as T | undefined) ?? null;
}

/** Unconditional: starting a job (or a first run) owns the row. */
export async function writeCheckpoint(
  db: Database,
  job: string,
  cursor: Record<string, unknown>,
): Promise<void> {
  await db
    .insert(statsCheckpoints)
    .values({ job, cursor })
    .onConflictDoUpdate({
      target: statsCheckpoints.job,
      set: { cursor, updatedAt: sql`now()` },
    });
}

/**
 * Compare-and-set: moves the cursor only if nobody moved it since `expected` was read. Two
 * ticks that overlap (a slow run, the admin route's first batch) then build the same batch
 * twice, which is harmless, but can never move the cursor backwards or skip a batch.
 */
export async function advanceCheckpoint(
  db: Database,
  job: string,
  expected: Record<string, unknown> | null,
  next: Record<string, unknown>,
): Promise<boolean> {
  if (expected === null) {
    const inserted = await db
      .insert(statsCheckpoints)
      .values({ job, cursor: next })
      .onConflictDoNothing()
      .returning({ job: statsCheckpoints.job });
    return inserted.length === 1;
  }
  const updated = await db
    .update(statsCheckpoints)
    .set({ cursor: next, updatedAt: sql`now()` })
    .where(
      and(
        eq(statsCheckpoints.job, job),
        sql`${statsCheckpoints.cursor} = ${JSON.stringify(expected)}::jsonb`,
      ),
    )
    .returning({ job: statsCheckpoints.job });
  return updated.length === 1;
}
