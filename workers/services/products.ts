import { and, desc, eq, gt, ilike, inArray, isNull, or, type SQL } from "drizzle-orm";
import type { TrialGates } from "../../core/ports/trial-gate";
import type { Database } from "../../db/client";
import { products, trials, users } from "../../db/schema";
import type { Caller } from "../context";
import { AppError } from "../errors";
import { type CreatedKey, containsPattern, olderThan } from "../lib/keyset";
import { attachImages } from "./product-images";

export type ProductRow = typeof products.$inferSelect;

export interface CreateProductInput {
  name: string;
  description: string;
  category?: string | undefined;
  /** Only an ADMIN names the company; a COMPANY always creates for itself. */
  companyId?: string | undefined;
  imageIds?: string[] | undefined;
}

export async function createProduct(
  db: Database,
  caller: Caller,
  input: CreateProductInput,
): Promise<ProductRow> {
  const companyId = await owningCompany(db, caller, input.companyId);
  // One transaction: an image the company may not use (422) leaves no half-made product.
  const now = new Date();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(products)
      .values({
        id: crypto.randomUUID(),
        // Whole milliseconds, as the list cursor stores them: a microsecond default could
        // put two rows between pages.
        createdAt: now,
        updatedAt: now,
        companyId,
        name: input.name,
        description: input.description,
        category: input.category ?? null,
      })
      .returning();
    if (!row) throw new Error("insert returned no row");
    if (input.imageIds) await attachImages(tx, row.id, companyId, input.imageIds);
    return row;
  });
}

export async function getProduct(db: Database, id: string): Promise<ProductRow> {
  const [row] = await db
    .select()
    .from(products)
    .where(and(eq(products.id, id), isNull(products.deletedAt)))
    .limit(1);
  if (!row) throw new AppError("PRODUCT_NOT_FOUND", "No such product.");
  return row;
}

export interface ProductQuery {
  q?: string | undefined;
  category?: string | undefined;
  companyId?: string | undefined;
  limit: number;
  after: CreatedKey | null;
}

/** Newest first; `q` matches name or description, case-insensitively and literally. */
export async function listProducts(db: Database, query: ProductQuery): Promise<ProductRow[]> {
  const filters: SQL[] = [isNull(products.deletedAt)];
  if (query.q) {
    const pattern = containsPattern(query.q);
    const match = or(ilike(products.name, pattern), ilike(products.description, pattern));
    if (match) filters.push(match);
  }
  if (query.category) filters.push(eq(products.category, query.category));
  if (query.companyId) filters.push(eq(products.companyId, query.companyId));
  if (query.after) filters.push(olderThan(products.createdAt, products.id, query.after));
  return db
    .select()
    .from(products)
    .where(and(...filters))
    .orderBy(desc(products.createdAt), desc(products.id))
    .limit(query.limit + 1);
}

export interface ProductPatch {
  name?: string | undefined;
  description?: string | undefined;
  category?: string | null | undefined;
  imageIds?: string[] | undefined;
}

export async function updateProduct(
  db: Database,
  caller: Caller,
  id: string,
  patch: ProductPatch,
): Promise<ProductRow> {
  const product = await getProduct(db, id);
  assertOwnsProduct(caller, product);
  const { imageIds, ...fields } = patch;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(products)
      .set({ ...definedOnly(fields), updatedAt: new Date() })
      .where(and(eq(products.id, id), isNull(products.deletedAt)))
      .returning();
    if (!row) throw new AppError("PRODUCT_NOT_FOUND", "No such product.");
    if (imageIds) await attachImages(tx, id, product.companyId, imageIds);
    return row;
  });
}

/**
 * Soft delete. Refused (409) while one of its trials is OPEN, by its gate's clock, or still
 * SCHEDULED to open: a trial must never run for a product that no longer exists.
 */
export async function deleteProduct(
  db: Database,
  gates: TrialGates,
  caller: Caller,
  id: string,
): Promise<void> {
  assertOwnsProduct(caller, await getProduct(db, id));
  const candidates = await db
    .select({ id: trials.id })
    .from(trials)
    .where(
      and(
        eq(trials.productId, id),
        inArray(trials.status, ["SCHEDULED", "OPEN", "CLOSED"]),
        gt(trials.closesAt, new Date()),
      ),
    );
  const live = await Promise.all(candidates.map((t) => gates.get(t.id).snapshot()));
  if (live.some((s) => s?.status === "OPEN" || s?.status === "SCHEDULED")) {
    throw new AppError(
      "PRODUCT_HAS_OPEN_TRIAL",
      "The product has a trial that is open or scheduled; cancel it first.",
    );
  }
  await db
    .update(products)
    .set({ deletedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(products.id, id), isNull(products.deletedAt)));
}

function assertOwnsProduct(caller: Caller, product: ProductRow): void {
  if (caller.role === "ADMIN") return;
  if (caller.role === "COMPANY" && product.companyId === caller.userId) return;
  throw new AppError("NOT_THE_OWNER", "Only the company that owns the product can change it.");
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function owningCompany(db: Database, caller: Caller, requested?: string): Promise<string> {
  if (caller.role === "COMPANY") {
    if (requested && requested !== caller.userId) {
      throw new AppError("FORBIDDEN", "A company creates products only for itself.");
    }
    return caller.userId;
  }
  if (!requested) {
    throw new AppError("VALIDATION_FAILED", "An ADMIN must say which company owns the product.", [
      { path: "companyId", message: "required for ADMIN" },
    ]);
  }
  const [company] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, requested), eq(users.role, "COMPANY"), isNull(users.deletedAt)))
    .limit(1);
  if (!company) throw new AppError("UNKNOWN_COMPANY", "No company with this id.");
  return company.id;
}
