import { and, asc, eq, gt } from "drizzle-orm";
import type { Application } from "../../core/first-come/types";
import type { TrialGates } from "../../core/ports/trial-gate";
import type { Database } from "../../db/client";
import { applications } from "../../db/schema";
import { AppError } from "../errors";

/**
 * Apply to a trial: exactly one call to the trial's gate, nothing else on the hot path.
 * The gate decides and persists before answering; Postgres learns it from the queue.
 */
export async function applyToTrial(
  gates: TrialGates,
  trialId: string,
  userId: string,
  note: string | null,
): Promise<{ created: boolean; application: Application }> {
  const result = await gates.get(trialId).apply(userId, note);
  switch (result.kind) {
    case "created":
      return { created: true, application: result.application };
    case "existing":
      return { created: false, application: result.application };
    case "refused":
      throw refusal(result.code);
  }
}

function refusal(code: "TRIAL_NOT_FOUND" | "TRIAL_NOT_OPEN" | "TRIAL_CLOSED" | "TRIAL_CANCELLED") {
  const messages = {
    TRIAL_NOT_FOUND: "No such trial.",
    TRIAL_NOT_OPEN: "The trial is not open yet.",
    TRIAL_CLOSED: "The trial is closed: every place is taken or it has ended.",
    TRIAL_CANCELLED: "The trial was cancelled.",
  } as const;
  return new AppError(code, messages[code]);
}

export async function getMyApplication(
  gates: TrialGates,
  trialId: string,
  userId: string,
): Promise<Application> {
  const application = await gates.get(trialId).findApplication(userId);
  if (!application)
    throw new AppError("APPLICATION_NOT_FOUND", "You have not applied to this trial.");
  return application;
}

export async function listTrialApplications(
  db: Database,
  trialId: string,
  query: {
    status?: "WON" | "WAITLISTED" | "CANCELLED" | undefined;
    afterSeq: number;
    limit: number;
  },
) {
  const filters = [eq(applications.trialId, trialId), gt(applications.seq, query.afterSeq)];
  if (query.status) filters.push(eq(applications.status, query.status));
  return db
    .select()
    .from(applications)
    .where(and(...filters))
    .orderBy(asc(applications.seq))
    .limit(query.limit + 1);
}
