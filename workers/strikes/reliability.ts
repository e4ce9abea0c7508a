import { and, eq, gt, isNull, sql } from "drizzle-orm";
import {
  countedStrikes,
  relevantSinceMs,
  restrictedUntilMs,
  type StrikeFacts,
} from "../../core/strikes/restriction";
import type { Database } from "../../db/client";
import { strikes } from "../../db/schema";

/**
 * What Postgres knows of a member's journeys and strikes, read for the rule in
 * core/strikes/restriction.ts. Only standing strikes young enough to matter are read
 * (relevantSinceMs): the (user_id, at) index serves both reads.
 */

/** A member's record after the win (API.md `User.reliability`). */
export interface Reliability {
  /** Journeys ended by a review written in time. */
  completed: number;
  /** Journeys whose review deadline passed without one (each recorded a strike). */
  missed: number;
  /** Strikes that count now: not lifted by an appeal, recorded in the last 180 days. */
  strikes: number;
  /** Until when the member may not apply (epoch ms); null when they may. */
  restrictedUntilMs: number | null;
}

/** A member Postgres knows nothing of yet: no journey, no strike. */
export const NO_RECORD: Reliability = {
  completed: 0,
  missed: 0,
  strikes: 0,
  restrictedUntilMs: null,
};

export function presentReliability(r: Reliability) {
  return {
    completed: r.completed,
    missed: r.missed,
    strikes: r.strikes,
    restrictedUntil:
      r.restrictedUntilMs === null ? null : new Date(r.restrictedUntilMs).toISOString(),
  };
}

export type ReliabilityJson = ReturnType<typeof presentReliability>;

/**
 * Until when (epoch ms) the member may not apply, or null: what the access token carries
 * (claim `restrictedUntil`, set at login and at refresh; docs/decisions/0036).
 */
export async function restrictionOf(
  db: Pick<Database, "select">,
  userId: string,
  nowMs: number,
): Promise<number | null> {
  const rows = await db
    .select({ at: strikes.at })
    .from(strikes)
    .where(
      and(
        eq(strikes.userId, userId),
        isNull(strikes.liftedAt),
        gt(strikes.at, new Date(relevantSinceMs(nowMs))),
      ),
    );
  return restrictedUntilMs(
    rows.map((r) => ({ atMs: r.at.getTime(), liftedAtMs: null })),
    nowMs,
  );
}

/**
 * The reliability of every member in `userIds`, in ONE statement whatever their number (a
 * page of applicants costs one round trip, not one per row). Members without journeys or
 * strikes get zeros; ids of no user are absent from the map.
 */
export async function reliabilityOf(
  db: Pick<Database, "execute">,
  userIds: readonly string[],
  nowMs: number,
): Promise<Map<string, Reliability>> {
  const out = new Map<string, Reliability>();
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return out;
  const since = new Date(relevantSinceMs(nowMs));
  const res = await db.execute(sql`
    SELECT u.id AS user_id,
           (SELECT count(*) FROM winner_journeys j
             WHERE j.user_id = u.id AND j.completed_at IS NOT NULL)::int AS completed,
           (SELECT count(*) FROM winner_journeys j
             WHERE j.user_id = u.id AND j.missed_at IS NOT NULL)::int AS missed,
           (SELECT coalesce(json_agg((extract(epoch FROM s.at) * 1000)::float8), '[]'::json)
              FROM strikes s
             WHERE s.user_id = u.id AND s.lifted_at IS NULL AND s.at > ${since}) AS strike_ms
      FROM users u
     WHERE u.id IN ${ids}`);
  for (const raw of res.rows) {
    const row = raw as { user_id: string; completed: number; missed: number; strike_ms: unknown };
    const standing: StrikeFacts[] = jsonArray(row.strike_ms).map((ms) => ({
      atMs: Number(ms),
      liftedAtMs: null,
    }));
    out.set(row.user_id, {
      completed: Number(row.completed),
      missed: Number(row.missed),
      strikes: countedStrikes(standing, nowMs),
      restrictedUntilMs: restrictedUntilMs(standing, nowMs),
    });
  }
  return out;
}

/** A json column as the driver hands it: parsed already, or its text. */
function jsonArray(value: unknown): unknown[] {
  const parsed = typeof value === "string" ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed : [];
}

/** One member's reliability as the API shows it (GET /v1/users/me). */
export async function memberReliability(
  db: Pick<Database, "execute">,
  userId: string,
  nowMs = Date.now(),
): Promise<ReliabilityJson> {
  const found = await reliabilityOf(db, [userId], nowMs);
  return presentReliability(found.get(userId) ?? NO_RECORD);
}
