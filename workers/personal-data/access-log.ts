import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { dataAccessLog } from "../../db/schema";
import { type CreatedKey, olderThan } from "../lib/keyset";

export type DataAccessRow = typeof dataAccessLog.$inferSelect;

/**
 * One member's access log (who read their personal data), newest first, keyset-paginated on
 * (at, id). `at` is written in whole milliseconds (winners.ts), so a cursor's instant is exact.
 * The reader's own id stays out of the answer: the member sees which company's trial it was.
 */
export async function listDataAccess(
  db: Database,
  userId: string,
  query: { limit: number; after: CreatedKey | null },
): Promise<DataAccessRow[]> {
  const after = query.after
    ? olderThan(dataAccessLog.at, dataAccessLog.id, query.after)
    : undefined;
  return db
    .select()
    .from(dataAccessLog)
    .where(and(eq(dataAccessLog.userId, userId), after))
    .orderBy(desc(dataAccessLog.at), desc(dataAccessLog.id))
    .limit(query.limit + 1);
}

export const accessKeyOf = (r: DataAccessRow): CreatedKey => ({ t: r.at.getTime(), id: r.id });

export function presentDataAccess(r: DataAccessRow) {
  return { at: r.at.toISOString(), companyId: r.companyId, trialId: r.trialId, what: r.what };
}
