import type { ApplicationStatus, CancelledReason } from "../vocabulary/applications";

/**
 * The API's `Application`, the one JSON shape a member sees of their application: in HTTP
 * answers and in the live room's `application` message. In core because the Durable Object
 * gate writes it to sockets itself, and it may import only core.
 */
export interface ApplicationFields {
  id: string;
  trialId: string;
  userId: string;
  seq: number;
  status: ApplicationStatus;
  position: number | null;
  note: string | null;
  appliedAt: number | Date;
  decidedAt: number | Date;
  /** The winner's confirmation (core/first-come/confirmation.ts); absent: null. */
  confirmBy?: number | Date | null;
  confirmedAt?: number | Date | null;
  cancelledReason?: CancelledReason | null;
  /** The winner's parcel and review deadline (Postgres's winner_journeys); absent: null. */
  shipment?: { carrier: string; trackingNumber: string; shippedAt: number | Date } | null;
  reviewDueAt?: number | Date | null;
}

export function presentApplication(a: ApplicationFields) {
  return {
    id: a.id,
    trialId: a.trialId,
    userId: a.userId,
    seq: a.seq,
    status: a.status,
    position: a.position,
    note: a.note,
    appliedAt: new Date(a.appliedAt).toISOString(),
    decidedAt: new Date(a.decidedAt).toISOString(),
    confirmBy: isoOrNull(a.confirmBy),
    confirmedAt: isoOrNull(a.confirmedAt),
    cancelledReason: a.status === "CANCELLED" ? (a.cancelledReason ?? null) : null,
    shipment: a.shipment
      ? {
          carrier: a.shipment.carrier,
          trackingNumber: a.shipment.trackingNumber,
          shippedAt: new Date(a.shipment.shippedAt).toISOString(),
        }
      : null,
    reviewDueAt: a.reviewDueAt == null ? null : new Date(a.reviewDueAt).toISOString(),
  };
}

function isoOrNull(t: number | Date | null | undefined): string | null {
  return t == null ? null : new Date(t).toISOString();
}

export type ApplicationJson = ReturnType<typeof presentApplication>;
