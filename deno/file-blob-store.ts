import type { BlobStore } from "../core/ports/blob-store.ts";

/**
 * Image bytes in a local directory, for `npm run start:deno` on a machine without an S3
 * store (the Deno counterpart of wrangler's local R2). Deno Deploy has no writable disk:
 * there, S3_* must be set. The content type is kept in a sidecar file.
 */
export function fileBlobStore(dir: string): BlobStore {
  // Keys are ours ("images/<uuid>"), but a path must never escape the directory.
  const pathOf = (key: string) => {
    if (!/^[\w-]+(\/[\w.-]+)*$/.test(key) || key.includes("..")) {
      throw new Error(`unsafe blob key: ${key}`);
    }
    return `${dir}/${key}`;
  };
  return {
    async put(key, bytes, contentType) {
      const path = pathOf(key);
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeFile(path, bytes);
      await Deno.writeTextFile(`${path}.type`, contentType);
    },
    async get(key) {
      const path = pathOf(key);
      try {
        // The type file is written last: without it the object is not complete.
        const contentType = await Deno.readTextFile(`${path}.type`);
        const file = await Deno.open(path);
        const { size } = await file.stat();
        return { body: file.readable, contentType, size };
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return null;
        throw err;
      }
    },
    async delete(key) {
      const path = pathOf(key);
      for (const p of [path, `${path}.type`]) {
        await Deno.remove(p).catch((err) => {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        });
      }
    },
  };
}
