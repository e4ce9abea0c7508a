import { createMiddleware } from "hono/factory";
import { IMAGE_TYPES, type ImageType } from "../../../core/vocabulary/images";
import type { AppContext, AppEnv } from "../../context";
import { AppError } from "../../errors";
import { isImageType } from "../../lib/image-signature";
import { readBounded } from "../../lib/read-bounded";
import { MAX_IMAGE_BYTES } from "../../services/images";

/**
 * A raw image upload: 415 unless the declared type is an image type we keep, 413 past
 * MAX_IMAGE_BYTES (decided while streaming). The bytes go to hono's body cache, where the
 * idempotency step hashes them and the handler takes them (`uploadOf`): read once, bounded,
 * before anything that needs them.
 */
export const imageUpload = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!isImageType(declaredTypeOf(c.req.header("content-type")))) {
      throw new AppError(
        "UNSUPPORTED_MEDIA_TYPE",
        `Send the image as the raw body with Content-Type ${IMAGE_TYPES.join(", ")}.`,
      );
    }
    const bytes = await readBounded(c.req.raw, MAX_IMAGE_BYTES, tooLarge);
    (c.req.bodyCache as Record<string, unknown>).arrayBuffer = Promise.resolve(bytes.buffer);
    await next();
  });

/** The upload `imageUpload` checked and read: its declared type and its bytes. */
export async function uploadOf(
  c: AppContext,
): Promise<{ declaredType: ImageType; bytes: Uint8Array<ArrayBuffer> }> {
  const declaredType = declaredTypeOf(c.req.header("content-type"));
  if (!isImageType(declaredType)) throw new Error("uploadOf() runs after imageUpload()");
  return { declaredType, bytes: new Uint8Array(await c.req.arrayBuffer()) };
}

/** The media type without parameters, lower-cased: `Image/PNG; x=y` → `image/png`. */
function declaredTypeOf(header: string | undefined): string {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function tooLarge(): AppError {
  const limit = MAX_IMAGE_BYTES;
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `An image must be at most ${limit} bytes (${limit / (1024 * 1024)} MiB).`,
  );
}
