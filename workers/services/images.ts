import { and, eq, isNull } from "drizzle-orm";
import { describeError, log } from "../../core/log";
import type { BlobStore } from "../../core/ports/blob-store";
import type { ImageType } from "../../core/vocabulary/images";
import type { Database } from "../../db/client";
import { images, productImages } from "../../db/schema";
import type { Caller } from "../context";
import { AppError } from "../errors";
import { strongEtag } from "../lib/etag";
import { IMAGE_TYPE_NAMES, sniffImageType } from "../lib/image-signature";

export type ImageRow = typeof images.$inferSelect;

/** 5 MiB: large enough for a product photo, small enough to hold in a Worker's memory. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/**
 * Where an image is served. Absolute, built from the API's public origin (lib/origin.ts), so
 * a client on another host can put it straight into `<img src>`.
 */
export function imageUrl(origin: string, id: string): string {
  return `${origin}/v1/images/${id}`;
}

export interface ImageUpload {
  declaredType: ImageType;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * Bytes first, row second: the row is what makes an image exist (every read starts from
 * it), so a failure between the two leaves at worst unreachable bytes, never a row that
 * points at nothing. Those bytes are removed again when the row cannot be written.
 */
export async function storeImage(
  db: Database,
  blobs: BlobStore,
  caller: Caller,
  upload: ImageUpload,
): Promise<ImageRow> {
  const { declaredType, bytes } = upload;
  if (bytes.length === 0) {
    throw new AppError("VALIDATION_FAILED", "The image is empty: send its bytes as the body.");
  }
  const actual = sniffImageType(bytes);
  if (actual !== declaredType) {
    const seen = actual ? `they are ${IMAGE_TYPE_NAMES[actual]}` : "they match no supported type";
    throw new AppError(
      "UNSUPPORTED_MEDIA_TYPE",
      `The body was declared ${declaredType} but its bytes are not a ${IMAGE_TYPE_NAMES[declaredType]} image (${seen}).`,
    );
  }

  const id = crypto.randomUUID();
  const key = `images/${id}`;
  const etag = await strongEtag(bytes);
  await blobs.put(key, bytes, declaredType);
  try {
    const [row] = await db
      .insert(images)
      .values({
        id,
        ownerId: caller.userId,
        key,
        contentType: declaredType,
        size: bytes.length,
        etag,
      })
      .returning();
    if (!row) throw new Error("insert returned no row");
    return row;
  } catch (err) {
    await blobs.delete(key).catch(() => {});
    throw err;
  }
}

/** A live (not deleted) image, or 404. */
export async function getLiveImage(db: Database, id: string): Promise<ImageRow> {
  const [row] = await db
    .select()
    .from(images)
    .where(and(eq(images.id, id), isNull(images.deletedAt)))
    .limit(1);
  if (!row) throw new AppError("IMAGE_NOT_FOUND", "No such image.");
  return row;
}

/**
 * Soft-deletes the row and detaches the image from every product in one transaction, then
 * removes the bytes. The row lock serializes this with attachImages (which takes a share
 * lock on the images it attaches), so an image is never attached to a product after it was
 * deleted. Returns the products that lost the image, whose cached views are now stale.
 */
export async function deleteImage(
  db: Database,
  blobs: BlobStore,
  caller: Caller,
  id: string,
): Promise<{ productIds: string[] }> {
  const { key, productIds } = await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ ownerId: images.ownerId, key: images.key })
      .from(images)
      .where(and(eq(images.id, id), isNull(images.deletedAt)))
      .limit(1)
      .for("update");
    if (!row) throw new AppError("IMAGE_NOT_FOUND", "No such image.");
    if (caller.role !== "ADMIN" && row.ownerId !== caller.userId) {
      throw new AppError("NOT_THE_OWNER", "Only the uploader or an ADMIN can delete an image.");
    }
    await tx.update(images).set({ deletedAt: new Date() }).where(eq(images.id, id));
    const detached = await tx
      .delete(productImages)
      .where(eq(productImages.imageId, id))
      .returning({ productId: productImages.productId });
    return { key: row.key, productIds: detached.map((d) => d.productId) };
  });
  // The row is already gone for every reader; bytes left behind by a failure here are
  // unreachable and harmless, so this is logged rather than failing the request.
  await blobs.delete(key).catch((err: unknown) => {
    log.warn("image.bytes_not_deleted", { imageId: id, error: describeError(err) });
  });
  return { productIds };
}
