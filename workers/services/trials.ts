import { and, desc, eq, isNull, type SQL } from "drizzle-orm";
import { shuffleSecondsProblem, shuffleWindowFits } from "../../core/first-come/draw";
import type { GateSnapshot, Ordering, TrialStatus, TrialTerms } from "../../core/first-come/types";
import { describeError, log } from "../../core/log";
import type { TrialGate, TrialGates } from "../../core/ports/trial-gate";
import type { Database } from "../../db/client";
import { products, trials } from "../../db/schema";
import type { Caller } from "../context";
import { AppError } from "../errors";
import { type CreatedKey, olderThan } from "../lib/keyset";

export type TrialRow = typeof trials.$inferSelect;

export interface CreateTrialInput {
  productId: string;
  title: string;
  description: string;
  slots: number;
  waitlistSize: number;
  opensAt: number;
  closesAt: number;
  ordering: Ordering;
  shuffleSeconds?: number | undefined;
  confirmWithinMinutes: number | null;
  reviewWithinDays: number;
}

/**
 * The gate is configured first and the catalog row written second: if the row cannot be
 * written the gate is discarded, and nobody knows its id yet, so no member can apply to a
 * trial that Postgres does not have.
 */
export async function createTrial(
  db: Database,
  gates: TrialGates,
  caller: Caller,
  input: CreateTrialInput,
): Promise<{ trial: TrialRow; live: GateSnapshot }> {
  const [product] = await db
    .select({ id: products.id, companyId: products.companyId })
    .from(products)
    .where(and(eq(products.id, input.productId), isNull(products.deletedAt)))
    .limit(1);
  if (!product) throw new AppError("UNKNOWN_PRODUCT", "No product with this id.");
  if (caller.role !== "ADMIN" && product.companyId !== caller.userId) {
    throw new AppError("NOT_THE_OWNER", "Only the company that owns the product can open a trial.");
  }

  const id = crypto.randomUUID();
  const gate = gates.get(id);
  const configured = await gate.configure({
    trialId: id,
    slots: input.slots,
    waitlistSize: input.waitlistSize,
    opensAt: input.opensAt,
    closesAt: input.closesAt,
    ordering: input.ordering,
    shuffleSeconds: input.shuffleSeconds ?? null,
    confirmWithinMinutes: input.confirmWithinMinutes,
  });
  if (configured.kind === "refused") {
    throw new Error(`fresh gate refused configuration: ${configured.code}`);
  }
  const live = configured.snapshot;

  const now = new Date();
  try {
    const [trial] = await db
      .insert(trials)
      .values({
        id,
        // Whole milliseconds, as the list cursor stores them (see products.ts).
        createdAt: now,
        updatedAt: now,
        productId: product.id,
        companyId: product.companyId,
        title: input.title,
        description: input.description,
        slots: input.slots,
        waitlistSize: input.waitlistSize,
        opensAt: new Date(input.opensAt),
        closesAt: new Date(input.closesAt),
        ordering: live.ordering,
        shuffleSeconds: live.shuffleSeconds,
        // The gate made the seed and keeps it; the catalog publishes its commitment.
        seedCommitment: live.seedCommitment,
        confirmWithinMinutes: live.confirmWithinMinutes,
        reviewWithinDays: input.reviewWithinDays,
        status: live.status,
        closedReason: live.closedReason,
        statusVersion: live.statusVersion,
      })
      .returning();
    if (!trial) throw new Error("insert returned no row");
    return { trial, live };
  } catch (err) {
    await gate
      .discard()
      .catch((e: unknown) => log.warn("gate.discard_failed", { trialId: id, error: String(e) }));
    throw err;
  }
}

export async function getTrialRow(db: Database, id: string): Promise<TrialRow> {
  const [trial] = await db.select().from(trials).where(eq(trials.id, id)).limit(1);
  if (!trial) throw new AppError("TRIAL_NOT_FOUND", "No such trial.");
  return trial;
}

/** The owner company or an ADMIN; everyone else gets 403. */
export function assertOwnsTrial(caller: Caller, trial: TrialRow): void {
  if (caller.role === "ADMIN") return;
  if (caller.role === "COMPANY" && trial.companyId === caller.userId) return;
  throw new AppError(
    "NOT_THE_OWNER",
    "Only the company that owns the trial or an ADMIN can do this.",
  );
}

export interface TrialQuery {
  status?: TrialStatus | undefined;
  productId?: string | undefined;
  companyId?: string | undefined;
  limit: number;
  after: CreatedKey | null;
}

/**
 * Newest first. `status` filters on the catalog copy, which the gates' status events and
 * the status-sync cron keep current; the items then carry each gate's live counts.
 */
export async function listTrials(db: Database, query: TrialQuery): Promise<TrialRow[]> {
  const filters: SQL[] = [];
  if (query.status) filters.push(eq(trials.status, query.status));
  if (query.productId) filters.push(eq(trials.productId, query.productId));
  if (query.companyId) filters.push(eq(trials.companyId, query.companyId));
  if (query.after) filters.push(olderThan(trials.createdAt, trials.id, query.after));
  return db
    .select()
    .from(trials)
    .where(filters.length ? and(...filters) : undefined)
    .orderBy(desc(trials.createdAt), desc(trials.id))
    .limit(query.limit + 1);
}

export interface TrialPatch {
  title?: string | undefined;
  description?: string | undefined;
  slots?: number | undefined;
  waitlistSize?: number | undefined;
  opensAt?: number | undefined;
  closesAt?: number | undefined;
  ordering?: Ordering | undefined;
  shuffleSeconds?: number | undefined;
  /** null removes the deadline; absent keeps it. */
  confirmWithinMinutes?: number | null | undefined;
  reviewWithinDays?: number | undefined;
}

/**
 * Only while SCHEDULED. A change of terms spans Postgres and the gate, and must leave both
 * with the old terms when either refuses (docs/decisions/0023). So Postgres goes first, in a
 * transaction: the row takes the new terms (its constraints speak now) and stays locked
 * while the gate takes them by its own clock (atomically: a trial that opened meanwhile
 * refuses); the transaction commits only after the gate said yes. What is left is a commit
 * that fails after the gate changed: then the gate gets its old terms back.
 */
export async function updateTrial(
  db: Database,
  gates: TrialGates,
  caller: Caller,
  id: string,
  patch: TrialPatch,
): Promise<{ trial: TrialRow; live: GateSnapshot }> {
  const trial = await getTrialRow(db, id);
  assertOwnsTrial(caller, trial);
  const gate = gates.get(id);
  const current = await gate.snapshot();
  if (!current) throw new AppError("TRIAL_NOT_FOUND", "No such trial.");
  if (current.status !== "SCHEDULED") {
    throw new AppError("TRIAL_ALREADY_OPEN", "A trial can be changed only while it is SCHEDULED.");
  }
  const ordering = patch.ordering ?? trial.ordering;
  const terms = {
    trialId: id,
    slots: patch.slots ?? trial.slots,
    waitlistSize: patch.waitlistSize ?? trial.waitlistSize,
    opensAt: patch.opensAt ?? trial.opensAt.getTime(),
    closesAt: patch.closesAt ?? trial.closesAt.getTime(),
    ordering,
    // A new ordering drops the old window unless the patch gives one.
    shuffleSeconds:
      patch.shuffleSeconds ??
      (patch.ordering === undefined || patch.ordering === trial.ordering
        ? trial.shuffleSeconds
        : null),
    confirmWithinMinutes:
      patch.confirmWithinMinutes === undefined
        ? trial.confirmWithinMinutes
        : patch.confirmWithinMinutes,
  };
  const shuffleProblem = shuffleSecondsProblem(terms.ordering, terms.shuffleSeconds);
  if (shuffleProblem || !shuffleWindowFits(terms)) {
    throw new AppError("VALIDATION_FAILED", "The request body is invalid.", [
      {
        path: "shuffleSeconds",
        message: shuffleProblem ?? "the shuffle window must end by closesAt",
      },
    ]);
  }
  if (terms.opensAt >= terms.closesAt) {
    throw new AppError("VALIDATION_FAILED", "The request body is invalid.", [
      {
        path: patch.closesAt !== undefined ? "closesAt" : "opensAt",
        message: "opensAt must be before closesAt",
      },
    ]);
  }
  if (terms.closesAt <= Date.now()) {
    throw new AppError("VALIDATION_FAILED", "The request body is invalid.", [
      { path: "closesAt", message: "must be in the future" },
    ]);
  }
  let gateAsked = false;
  try {
    return await db.transaction(async (tx) => {
      const [locked] = await tx
        .update(trials)
        .set({
          title: patch.title ?? trial.title,
          description: patch.description ?? trial.description,
          slots: terms.slots,
          waitlistSize: terms.waitlistSize,
          opensAt: new Date(terms.opensAt),
          closesAt: new Date(terms.closesAt),
          ordering: terms.ordering,
          shuffleSeconds: terms.shuffleSeconds,
          confirmWithinMinutes: terms.confirmWithinMinutes,
          reviewWithinDays: patch.reviewWithinDays ?? trial.reviewWithinDays,
          updatedAt: new Date(),
        })
        .where(eq(trials.id, id))
        .returning({ id: trials.id });
      if (!locked) throw new AppError("TRIAL_NOT_FOUND", "No such trial.");
      // Set before the call: a call that fails on the way back may still have changed it.
      gateAsked = true;
      const configured = await gate.configure(terms);
      if (configured.kind === "refused") {
        gateAsked = false; // a refusal changed nothing: there is nothing to give back
        throw new AppError(
          "TRIAL_ALREADY_OPEN",
          "A trial can be changed only while it is SCHEDULED.",
        );
      }
      const live = configured.snapshot;
      const [row] = await tx
        .update(trials)
        .set({
          status: live.status,
          closedReason: live.closedReason,
          statusVersion: live.statusVersion,
          seedCommitment: live.seedCommitment,
        })
        .where(eq(trials.id, id))
        .returning();
      if (!row) throw new AppError("TRIAL_NOT_FOUND", "No such trial.");
      return { trial: row, live };
    });
  } catch (err) {
    if (gateAsked) await restoreTerms(gate, termsOf(current), err);
    throw err;
  }
}

function termsOf(s: GateSnapshot): TrialTerms {
  return {
    trialId: s.trialId,
    slots: s.slots,
    waitlistSize: s.waitlistSize,
    opensAt: s.opensAt,
    closesAt: s.closesAt,
    ordering: s.ordering,
    shuffleSeconds: s.shuffleSeconds,
    confirmWithinMinutes: s.confirmWithinMinutes,
  };
}

/**
 * Postgres kept the old terms (its transaction did not commit): the gate gets them back.
 * Giving the same terms again changes nothing, so this is safe when the gate never took the
 * new ones. It is refused only if the trial opened under the new terms in between (a new
 * opening time already past); then the two disagree, and an operator is told.
 */
async function restoreTerms(gate: TrialGate, old: TrialTerms, cause: unknown): Promise<void> {
  try {
    const restored = await gate.configure(old);
    if (restored.kind === "configured") return;
    log.error("trial.terms_diverged", {
      trialId: old.trialId,
      reason: "the gate opened under the new terms before they could be taken back",
      error: describeError(cause),
    });
  } catch (err) {
    log.error("trial.terms_diverged", {
      trialId: old.trialId,
      reason: "the gate did not answer when its old terms were given back",
      error: describeError(err),
    });
  }
}

/**
 * Cancel: the gate refuses further applications and queues a TRIAL_CANCELLED event per WON
 * and WAITLISTED applicant; the catalog row is written now (with the gate's status version,
 * so a late, older status event cannot undo it).
 */
export async function cancelTrial(
  db: Database,
  gates: TrialGates,
  caller: Caller,
  id: string,
): Promise<{ trial: TrialRow; live: GateSnapshot }> {
  const trial = await getTrialRow(db, id);
  assertOwnsTrial(caller, trial);
  const result = await gates.get(id).cancel();
  if (result.kind === "refused") {
    throw result.code === "TRIAL_CLOSED"
      ? new AppError("TRIAL_CLOSED", "The trial has already ended; there is nothing to cancel.")
      : new AppError("TRIAL_NOT_FOUND", "No such trial.");
  }
  const live = result.snapshot;
  const [row] = await db
    .update(trials)
    .set({
      status: "CANCELLED",
      closedReason: null,
      statusVersion: live.statusVersion,
      updatedAt: new Date(),
    })
    .where(eq(trials.id, id))
    .returning();
  return { trial: row ?? trial, live };
}
