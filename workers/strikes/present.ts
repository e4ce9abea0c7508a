import { JOURNEY_RULES } from "../../core/vocabulary/journey";
import type { StrikeRow } from "./appeals";

const DAY_MS = 24 * 60 * 60 * 1000;
const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * The API's `Strike`: when and why it was recorded, until when it counts (the rule made
 * visible: 180 days, unless an appeal lifts it first), and its appeal. Who decided an appeal
 * stays in Postgres.
 */
export function presentStrike(s: StrikeRow) {
  return {
    id: s.id,
    userId: s.userId,
    trialId: s.trialId,
    applicationId: s.applicationId,
    at: s.at.toISOString(),
    countsUntil: new Date(s.at.getTime() + JOURNEY_RULES.strikeWindowDays * DAY_MS).toISOString(),
    liftedAt: iso(s.liftedAt),
    appeal:
      // The three are written together (appeals.ts): a row with one of them only has none.
      s.appealStatus === null || s.appealReason === null || s.appealedAt === null
        ? null
        : {
            status: s.appealStatus,
            reason: s.appealReason,
            appealedAt: s.appealedAt.toISOString(),
            decidedAt: iso(s.decidedAt),
          },
  };
}
