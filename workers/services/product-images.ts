import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { NeonQueryResultHKT } from "drizzle-orm/neon-serverless";
import type { PgDatabase } from "drizzle-orm/pg-core";
import type * as schema from "../../db/schema";
import { images, productImages, products, users } from "../../db/schema";
import { AppError, type ErrorDetail } from "../errors";
import { imageUrl } from "./images";

/** A database or an open transaction: the product's own write may already be in one. */
type Queryable = PgDatabase<NeonQueryResultHKT, typeof schema>;

export interface ProductImage {
  id: string;
  url: string;
}

/**
 * Replaces a product's images with `imageIds`, in that order. Each must be a live image
 * uploaded by the product's company or by an ADMIN (admins upload on a company's behalf);
 * another company's image is refused like an unknown one, so ids do not reveal whose they
 * are. Runs in one transaction (a savepoint when `db` is already a transaction) that first
 * locks the product row, so two concurrent replacements of one product run one after the
 * other, and share-locks the images, so a concurrent deleteImage waits for this to commit
 * (and then detaches them) or wins first (and then they are refused here).
 */
export async function attachImages(
  db: Queryable,
  productId: string,
  ownerCompanyId: string,
  requestedIds: string[],
): Promise<void> {
  // Postgres answers UUIDs in lower case; compare like with like.
  const imageIds = requestedIds.map((id) => id.toLowerCase());
  rejectDuplicates(imageIds);
  await db.transaction(async (tx) => {
    const [product] = await tx
      .select({ id: products.id })
      .from(products)
      .where(and(eq(products.id, productId), isNull(products.deletedAt)))
      .limit(1)
      .for("update");
    if (!product) throw new AppError("PRODUCT_NOT_FOUND", "No such product.");

    if (imageIds.length > 0) {
      const usable = await tx
        .select({ id: images.id, ownerId: images.ownerId, ownerRole: users.role })
        .from(images)
        .innerJoin(users, eq(users.id, images.ownerId))
        .where(and(inArray(images.id, imageIds), isNull(images.deletedAt)))
        .for("share", { of: images });
      const allowed = new Set(
        usable
          .filter((i) => i.ownerId === ownerCompanyId || i.ownerRole === "ADMIN")
          .map((i) => i.id),
      );
      const unknown: ErrorDetail[] = imageIds.flatMap((id, n) =>
        allowed.has(id)
          ? []
          : [{ path: `imageIds.${n}`, message: "no such image, or not one this company may use" }],
      );
      if (unknown.length > 0) {
        throw new AppError("UNKNOWN_IMAGE", "Some images do not exist or cannot be used.", unknown);
      }
    }

    await tx.delete(productImages).where(eq(productImages.productId, productId));
    if (imageIds.length > 0) {
      await tx
        .insert(productImages)
        .values(imageIds.map((imageId, position) => ({ productId, imageId, position })));
    }
  });
}

/**
 * The images of each product, in order, in one query. Every requested product gets an
 * entry (empty when it has no images); deleted images are left out even if a row still
 * points at them.
 */
export async function imagesOf(
  db: Queryable,
  productIds: string[],
  origin: string,
): Promise<Map<string, ProductImage[]>> {
  const result = new Map<string, ProductImage[]>(productIds.map((id) => [id, []]));
  if (productIds.length === 0) return result;
  const rows = await db
    .select({ productId: productImages.productId, imageId: productImages.imageId })
    .from(productImages)
    .innerJoin(images, and(eq(images.id, productImages.imageId), isNull(images.deletedAt)))
    .where(inArray(productImages.productId, productIds))
    .orderBy(asc(productImages.productId), asc(productImages.position));
  for (const row of rows) {
    result.get(row.productId)?.push({ id: row.imageId, url: imageUrl(origin, row.imageId) });
  }
  return result;
}

function rejectDuplicates(imageIds: string[]): void {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  imageIds.forEach((id, n) => {
    if (seen.has(id)) details.push({ path: `imageIds.${n}`, message: "listed more than once" });
    seen.add(id);
  });
  if (details.length > 0) {
    throw new AppError("VALIDATION_FAILED", "An image can appear only once per product.", details);
  }
}
