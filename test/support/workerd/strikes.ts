import { env } from "cloudflare:workers";
import type { Database } from "../../../db/client";
import { strikes } from "../../../db/schema";
import { durableObjectRevocations } from "../../../workers/adapters/cloudflare/revocations";
import { cacheFor } from "../../../workers/adapters/upstash/for-config";
import type { RestrictionChangeDeps } from "../../../workers/strikes/restriction-change";
import { testConfig, withDb } from "./db";

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A strike as the review-deadline job records it, written straight into Postgres: these
 * tests are about what reads strikes, not about the job. `daysAgo` dates it.
 */
export async function recordStrike(
  userId: string,
  daysAgo = 0,
  extra: Partial<typeof strikes.$inferInsert> = {},
) {
  const [row] = await withDb((db) =>
    db
      .insert(strikes)
      .values({
        userId,
        applicationId: crypto.randomUUID(),
        trialId: crypto.randomUUID(),
        at: new Date(Date.now() - daysAgo * DAY_MS),
        ...extra,
      })
      .returning(),
  );
  if (!row) throw new Error("no strike recorded");
  return row;
}

/**
 * What a job running in this Worker would hand restrictionChanged / strikeRecorded: the
 * isolate's own view of the revocation list (so the apply route here sees the revocation
 * at once), the cache, and a Postgres connection for the call.
 */
export async function withRestrictionDeps<T>(
  fn: (deps: RestrictionChangeDeps & { db: Database }) => Promise<T>,
): Promise<T> {
  const view = durableObjectRevocations(env.REVOCATIONS, testConfig().accessTokenTtlSeconds);
  const pending: Promise<unknown>[] = [];
  const result = await withDb((db) =>
    fn({
      db,
      revokeUntilNow: (userId) => view.revokeUntilNow(userId),
      cache: cacheFor(testConfig()),
      waitUntil: (p) => pending.push(p),
    }),
  );
  await Promise.all(pending);
  return result;
}
