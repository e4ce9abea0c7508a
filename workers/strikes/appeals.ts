import { and, asc, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { AppealDecision, AppealStatus } from "../../core/vocabulary/journey";
import type { Database } from "../../db/client";
import { strikes } from "../../db/schema";
import { AppError } from "../errors";
import { restrictionOf } from "./reliability";

/**
 * A member's strikes and their one appeal each (API.md "After the win"), decided by an
 * ADMIN. Each change is one conditional UPDATE: of two concurrent appeals (or decisions) on
 * one strike exactly one matches the row, the other learns why it did not.
 */

export type StrikeRow = typeof strikes.$inferSelect;

/** A list's sort key: an instant in whole milliseconds (computed by Postgres), and the id. */
export interface StrikeSortKey {
  ms: number;
  id: string;
}

const ms = (column: typeof strikes.at | typeof strikes.appealedAt) =>
  sql<string>`floor(extract(epoch from ${column}) * 1000)`;

/** The member's own strikes, newest first, keyset-paginated on (at, id). */
export async function listMemberStrikes(
  db: Database,
  userId: string,
  query: { limit: number; after: StrikeSortKey | null },
) {
  const atMs = ms(strikes.at);
  const after = query.after
    ? sql`(${atMs}, ${strikes.id}) < (${query.after.ms}, ${query.after.id}::uuid)`
    : undefined;
  const rows = await db
    .select({ strike: strikes, atMs })
    .from(strikes)
    .where(and(eq(strikes.userId, userId), after))
    .orderBy(desc(atMs), desc(strikes.id))
    .limit(query.limit + 1);
  return rows.map((r) => ({
    strike: r.strike,
    key: { ms: Number(r.atMs), id: r.strike.id } satisfies StrikeSortKey,
  }));
}

/**
 * Files the member's one appeal of their strike. 404 STRIKE_NOT_FOUND for a strike that is
 * not theirs (another member's looks exactly like an unknown one), 409 APPEAL_EXISTS for a
 * second appeal, whatever became of the first.
 */
export async function appealStrike(
  db: Database,
  userId: string,
  strikeId: string,
  reason: string,
): Promise<StrikeRow> {
  const [appealed] = await db
    .update(strikes)
    .set({ appealReason: reason, appealedAt: new Date(), appealStatus: "PENDING" })
    .where(and(eq(strikes.id, strikeId), eq(strikes.userId, userId), isNull(strikes.appealStatus)))
    .returning();
  if (appealed) return appealed;
  const [own] = await db
    .select({ id: strikes.id })
    .from(strikes)
    .where(and(eq(strikes.id, strikeId), eq(strikes.userId, userId)))
    .limit(1);
  if (!own) throw strikeNotFound();
  throw new AppError("APPEAL_EXISTS", "This strike has been appealed already: one appeal each.");
}

/** Appeals for an ADMIN, oldest first (a queue), keyset-paginated on (appealed_at, id). */
export async function listAppeals(
  db: Database,
  query: { status?: AppealStatus | undefined; limit: number; after: StrikeSortKey | null },
) {
  const appealedMs = ms(strikes.appealedAt);
  const after = query.after
    ? sql`(${appealedMs}, ${strikes.id}) > (${query.after.ms}, ${query.after.id}::uuid)`
    : undefined;
  const status = query.status
    ? eq(strikes.appealStatus, query.status)
    : isNotNull(strikes.appealStatus);
  const rows = await db
    .select({ strike: strikes, appealedMs })
    .from(strikes)
    .where(and(status, after))
    .orderBy(asc(appealedMs), asc(strikes.id))
    .limit(query.limit + 1);
  return rows.map((r) => ({
    strike: r.strike,
    key: { ms: Number(r.appealedMs), id: r.strike.id } satisfies StrikeSortKey,
  }));
}

export interface DecidedAppeal {
  strike: StrikeRow;
  /**
   * Whether the member's restriction changed with the decision (a GRANTED appeal of a
   * strike that restricted them): their access tokens carry the old one and must end.
   */
  restrictionChanged: boolean;
}

/**
 * An ADMIN decides a PENDING appeal. GRANTED lifts the strike (`lifted_at`): it counts no
 * more, and a restriction it made ends. 404 STRIKE_NOT_FOUND for an unknown strike or one
 * never appealed, 409 APPEAL_DECIDED for a second decision.
 */
export async function decideAppeal(
  db: Database,
  adminId: string,
  strikeId: string,
  decision: AppealDecision,
): Promise<DecidedAppeal> {
  return db.transaction(async (tx) => {
    const [owner] = await tx
      .select({ userId: strikes.userId })
      .from(strikes)
      .where(eq(strikes.id, strikeId))
      .limit(1);
    if (!owner) throw strikeNotFound("No appeal of this strike is known.");
    // Every strike of the member locked: two decisions on one member's strikes run in turn,
    // the second comparing the restriction against what the first left. Side by side, two
    // grants could each see the restriction unchanged while both together lift it.
    await tx
      .select({ id: strikes.id })
      .from(strikes)
      .where(eq(strikes.userId, owner.userId))
      .for("update");
    const [target] = await tx
      .select({ userId: strikes.userId, appealStatus: strikes.appealStatus })
      .from(strikes)
      .where(eq(strikes.id, strikeId))
      .limit(1);
    if (!target?.appealStatus) throw strikeNotFound("No appeal of this strike is known.");
    if (target.appealStatus !== "PENDING") {
      throw new AppError("APPEAL_DECIDED", "This appeal has been decided already.");
    }
    const now = new Date();
    const before = await restrictionOf(tx, target.userId, now.getTime());
    const [strike] = await tx
      .update(strikes)
      .set({
        appealStatus: decision,
        decidedBy: adminId,
        decidedAt: now,
        liftedAt: decision === "GRANTED" ? now : null,
      })
      .where(and(eq(strikes.id, strikeId), eq(strikes.appealStatus, "PENDING")))
      .returning();
    if (!strike) throw new AppError("APPEAL_DECIDED", "This appeal has been decided already.");
    const after = await restrictionOf(tx, target.userId, now.getTime());
    return { strike, restrictionChanged: before !== after };
  });
}

function strikeNotFound(message = "No such strike of yours."): AppError {
  return new AppError("STRIKE_NOT_FOUND", message);
}
