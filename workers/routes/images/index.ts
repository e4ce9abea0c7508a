import { Hono } from "hono";
import { log } from "../../../core/log";
import { invalidateProduct } from "../../cache/invalidate";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { ifNoneMatchMatches } from "../../lib/etag";
import { publicOrigin } from "../../lib/origin";
import { requireAuth, requireRole } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { limitUploads } from "../../middleware/rate-limit";
import { deleteImage, getLiveImage, imageUrl, storeImage } from "../../services/images";
import { IdParam, validate } from "../../validation";
import { imageUpload, uploadOf } from "./upload-body";

/**
 * Ids are never reused and an image's bytes never change, so any cache may keep a
 * response for a year without asking again; deleting an image removes it from our
 * origin only (see docs/decisions/0006-images.md).
 */
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * /v1/images — raw image uploads into the blob store. Mounted before the JSON body
 * middleware: the body here is the image itself, with its own type and size checks
 * (./upload-body.ts), read before the idempotency step hashes it.
 */
export const imageRoutes = new Hono<AppEnv>()
  .post(
    "/",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    limitUploads(),
    imageUpload(),
    idempotent(),
    async (c) => {
      const { db, blobs } = c.var.deps;
      const image = await storeImage(await db.db(), blobs, c.var.caller, await uploadOf(c));
      const url = imageUrl(publicOrigin(c), image.id);
      c.header("Location", url);
      return c.json({ id: image.id, url, contentType: image.contentType, size: image.size }, 201);
    },
  )
  .get("/:id", validate("param", IdParam), async (c) => {
    const { db, blobs } = c.var.deps;
    const image = await getLiveImage(await db.db(), c.req.valid("param").id);
    const headers = {
      ETag: image.etag,
      "Cache-Control": IMMUTABLE,
      // Browsers must trust the checked Content-Type, never guess another from the bytes.
      "X-Content-Type-Options": "nosniff",
    };
    if (ifNoneMatchMatches(c.req.header("if-none-match"), image.etag)) {
      return c.body(null, 304, headers);
    }
    const blob = await blobs.get(image.key);
    if (!blob) {
      // A live row whose bytes are missing: answer as missing, and leave a trace.
      log.warn("image.bytes_missing", { imageId: image.id });
      throw new AppError("IMAGE_NOT_FOUND", "No such image.");
    }
    return c.body(blob.body, 200, {
      ...headers,
      "Content-Type": image.contentType,
      "Content-Length": String(blob.size),
    });
  })
  .delete("/:id", requireAuth(), validate("param", IdParam), idempotent(), async (c) => {
    const { db, blobs, cache } = c.var.deps;
    const { productIds } = await deleteImage(
      await db.db(),
      blobs,
      c.var.caller,
      c.req.valid("param").id,
    );
    // Products that showed the image must not be served from cache with it (after commit).
    await Promise.all(productIds.map((id) => invalidateProduct(cache, id)));
    return c.body(null, 204);
  });
