import type { ApplicationStatus } from "../vocabulary/applications";

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
  };
}

export type ApplicationJson = ReturnType<typeof presentApplication>;
