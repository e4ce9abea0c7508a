import type { BlobStore } from "../../../core/ports/blob-store";

/** Image bytes in an R2 bucket (local under `wrangler dev` and in tests). */
export function r2BlobStore(bucket: R2Bucket): BlobStore {
  return {
    async put(key, bytes, contentType) {
      await bucket.put(key, bytes, { httpMetadata: { contentType } });
    },
    async get(key) {
      const object = await bucket.get(key);
      if (!object) return null;
      return {
        body: object.body,
        contentType: object.httpMetadata?.contentType ?? "application/octet-stream",
        size: object.size,
      };
    },
    async delete(key) {
      await bucket.delete(key);
    },
  };
}
