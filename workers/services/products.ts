import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { products, users } from "../../db/schema";
import type { Caller } from "../context";
import { AppError } from "../errors";

export type ProductRow = typeof products.$inferSelect;

export interface CreateProductInput {
  name: string;
  description: string;
  category?: string | undefined;
  /** Only an ADMIN names the company; a COMPANY always creates for itself. */
  companyId?: string | undefined;
}

export async function createProduct(
  db: Database,
  caller: Caller,
  input: CreateProductInput,
): Promise<ProductRow> {
  const companyId = await owningCompany(db, caller, input.companyId);
  const [row] = await db
    .insert(products)
    .values({
      id: crypto.randomUUID(),
      companyId,
      name: input.name,
      description: input.description,
      category: input.category ?? null,
    })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return row;
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
