import { inArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import { winnerJourneys } from "../../db/schema";

export type JourneyRow = typeof winnerJourneys.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The API's view of a winner's journey: the shipment routes and the extension answer it. */
export function presentJourney(j: JourneyRow) {
  return {
    applicationId: j.applicationId,
    carrier: j.carrier,
    trackingNumber: j.trackingNumber,
    shippedAt: j.shippedAt.toISOString(),
    reviewDueAt: j.reviewDueAt.toISOString(),
    extendedAt: iso(j.extendedAt),
    completedAt: iso(j.completedAt),
    missedAt: iso(j.missedAt),
  };
}

/** What an Application shows of its journey (core/wire/application.ts): null before shipping. */
export interface ApplicationJourney {
  shipment: { carrier: string; trackingNumber: string; shippedAt: Date } | null;
  reviewDueAt: Date | null;
}

const NOT_SHIPPED: ApplicationJourney = { shipment: null, reviewDueAt: null };

/**
 * Adds each application's shipment and review deadline, read in one query: the lists and
 * the member's own application show them (API.md "After the win").
 */
export async function withJourneys<T extends { id: string }>(
  db: Database,
  applications: readonly T[],
): Promise<(T & ApplicationJourney)[]> {
  if (applications.length === 0) return [];
  const rows = await db
    .select()
    .from(winnerJourneys)
    .where(
      inArray(
        winnerJourneys.applicationId,
        applications.map((a) => a.id),
      ),
    );
  const byId = new Map(rows.map((j) => [j.applicationId, j]));
  return applications.map((a) => {
    const j = byId.get(a.id);
    if (!j) return { ...a, ...NOT_SHIPPED };
    return {
      ...a,
      shipment: { carrier: j.carrier, trackingNumber: j.trackingNumber, shippedAt: j.shippedAt },
      reviewDueAt: j.reviewDueAt,
    };
  });
}
