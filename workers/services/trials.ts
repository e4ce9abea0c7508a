import { and, eq, isNull } from "drizzle-orm";
import type { GateSnapshot } from "../../core/first-come/types";
import type { TrialGates } from "../../core/ports/trial-gate";
import type { Database } from "../../db/client";
import { products, trials } from "../../db/schema";
import type { Caller } from "../context";
import { AppError } from "../errors";
import { log } from "../lib/log";

export type TrialRow = typeof trials.$inferSelect;

export interface CreateTrialInput {
  productId: string;
  title: string;
  description: string;
  slots: number;
  waitlistSize: number;
  opensAt: number;
  closesAt: number;
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
  });
  if (!configured.ok) throw new Error(`fresh gate refused configuration: ${configured.code}`);
  const live = configured.snapshot;

  try {
    const [trial] = await db
      .insert(trials)
      .values({
        id,
        productId: product.id,
        companyId: product.companyId,
        title: input.title,
        description: input.description,
        slots: input.slots,
        waitlistSize: input.waitlistSize,
        opensAt: new Date(input.opensAt),
        closesAt: new Date(input.closesAt),
        status: live.status,
        closedReason: live.closedReason,
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
  throw new AppError("FORBIDDEN", "Only the owning company or an ADMIN can see this.");
}
