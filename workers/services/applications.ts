import { and, asc, desc, eq, getTableColumns, gt, type SQL, sql } from "drizzle-orm";
import type { Application, ApplicationStatus, ApplyResult } from "../../core/first-come/types";
import type { TrialGates } from "../../core/ports/trial-gate";
import type { Database } from "../../db/client";
import { applications } from "../../db/schema";
import type { Deps } from "../context";
import { AppError } from "../errors";
import { type CreatedKey, olderThan } from "../lib/keyset";
import { receiptOf } from "../receipts/receipts";
import { GroupCommit } from "./group-commit";

/** One per isolate (and batch size): the group commit's lanes live as long as the isolate. */
const groupCommits = new Map<number, GroupCommit>();

function groupCommitOf(maxBatch: number): GroupCommit {
  let g = groupCommits.get(maxBatch);
  if (!g) {
    g = new GroupCommit(maxBatch);
    groupCommits.set(maxBatch, g);
  }
  return g;
}

/**
 * Apply to a trial: one call to the trial's gate, shared with the applications that arrived
 * while this isolate's previous call to it was in flight (group commit, docs/decisions/0019);
 * nothing else on the hot path. The gate decides and persists before answering; Postgres
 * learns it from the queue. `batchSize` is how many applications that gate call carried.
 */
export async function applyToTrial(
  deps: Pick<Deps, "gates" | "config" | "waitUntil">,
  trialId: string,
  userId: string,
  note: string | null,
): Promise<{ created: boolean; application: Application; batchSize: number }> {
  const gate = () => deps.gates.get(trialId);
  const request = { userId, note };
  const { batching, batchMax } = deps.config.gate;
  const { result, batchSize } = batching
    ? await groupCommitOf(batchMax).apply(gate, trialId, request, deps.waitUntil)
    : { result: (await gate().applyMany([request]))[0] as ApplyResult, batchSize: 1 };
  switch (result.kind) {
    case "created":
      return { created: true, application: result.application, batchSize };
    case "existing":
      return { created: false, application: result.application, batchSize };
    case "refused":
      throw refusal(result.code);
  }
}

function refusal(
  code:
    | "TRIAL_NOT_FOUND"
    | "TRIAL_NOT_OPEN"
    | "TRIAL_CLOSED"
    | "TRIAL_CANCELLED"
    | "APPLICATION_NOT_FOUND",
) {
  const messages = {
    TRIAL_NOT_FOUND: "No such trial.",
    TRIAL_NOT_OPEN: "The trial is not open yet.",
    TRIAL_CLOSED: "The trial is closed: every place is taken or it has ended.",
    TRIAL_CANCELLED: "The trial was cancelled.",
    APPLICATION_NOT_FOUND: "You have not applied to this trial.",
  } as const;
  return new AppError(code, messages[code]);
}

/**
 * The member gives up their place. A WON place goes to the first waitlisted member in the
 * same gate transaction; cancelling twice answers the cancelled application again.
 */
export async function cancelMyApplication(
  gates: TrialGates,
  trialId: string,
  userId: string,
): Promise<Application> {
  const result = await gates.get(trialId).withdraw(userId);
  if (result.kind === "refused") throw refusal(result.code);
  return result.application;
}

/**
 * The receipt of the member's latest entry in the trial's log, signed here in the app after
 * the gate answered (never inside it). Null for an application decided before its gate kept
 * a log. `iss` is the API's public origin (lib/origin.ts).
 */
export function receiptFor(
  deps: Pick<Deps, "config">,
  iss: string,
  application: Application,
): string | null {
  return receiptOf(deps.config.receipts, iss, application);
}

/** GET /v1/trials/:id/applications/me/receipt: the receipt again, as the apply answer gave it. */
export async function getMyReceipt(
  deps: Pick<Deps, "config" | "gates">,
  iss: string,
  trialId: string,
  userId: string,
): Promise<string> {
  const application = await getMyApplication(deps.gates, trialId, userId);
  const receipt = receiptFor(deps, iss, application);
  if (!receipt) {
    throw new AppError(
      "RECEIPT_NOT_FOUND",
      "This application was decided before the trial kept a public log: it has no receipt.",
    );
  }
  return receipt;
}

/**
 * Postgres stores no position: like the gate, it ranks each WAITLISTED application among
 * the trial's waiting ones by seq when read, so positions are always gapless.
 */
const applicationWithPosition = {
  ...getTableColumns(applications),
  // Spelled out with the table name: inside the subquery an interpolated column would be
  // rendered unqualified and resolve to the inner alias.
  position: sql<number | null>`CASE WHEN "applications"."status" = 'WAITLISTED' THEN (
      SELECT count(*) FROM applications w
       WHERE w.trial_id = "applications"."trial_id" AND w.status = 'WAITLISTED'
         AND w.seq <= "applications"."seq") END`.mapWith((v) => (v === null ? null : Number(v))),
};

/** The caller's own applications across trials, newest first. */
export async function listMyApplications(
  db: Database,
  userId: string,
  query: {
    status?: ApplicationStatus | undefined;
    after: CreatedKey | null;
    limit: number;
  },
) {
  const filters: SQL[] = [eq(applications.userId, userId)];
  if (query.status) filters.push(eq(applications.status, query.status));
  if (query.after) filters.push(olderThan(applications.appliedAt, applications.id, query.after));
  return db
    .select(applicationWithPosition)
    .from(applications)
    .where(and(...filters))
    .orderBy(desc(applications.appliedAt), desc(applications.id))
    .limit(query.limit + 1);
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
    status?: ApplicationStatus | undefined;
    afterSeq: number;
    limit: number;
  },
) {
  const filters = [eq(applications.trialId, trialId), gt(applications.seq, query.afterSeq)];
  if (query.status) filters.push(eq(applications.status, query.status));
  return db
    .select(applicationWithPosition)
    .from(applications)
    .where(and(...filters))
    .orderBy(asc(applications.seq))
    .limit(query.limit + 1);
}
