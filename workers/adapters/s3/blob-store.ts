import { AwsClient } from "aws4fetch";
import type { BlobStore } from "../../../core/ports/blob-store";
import { sha256Hex } from "../../lib/digests";

/**
 * Image bytes in an S3-compatible bucket (Cloudflare R2's S3 API, MinIO, AWS S3): the
 * store the Deno target uses where there is no R2 binding. Only `fetch` and aws4fetch
 * (WebCrypto), so the same file runs on Workers, Deno and Node.
 */
export interface S3Config {
  /** Scheme and host, e.g. https://<account>.r2.cloudflarestorage.com; no bucket in it. */
  endpoint: string;
  bucket: string;
  /** "auto" for R2; the bucket's region elsewhere. It is part of what gets signed. */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** S3's own limit on a key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

export function s3BlobStore(config: S3Config): BlobStore {
  // One client per store: it caches the derived signing key per day, so reusing it saves
  // four HMACs per request. aws4fetch retries 5xx and 429 itself; two retries ride out a
  // blip without letting one upload wait for tens of seconds (its default is ten).
  const client = new AwsClient({
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    service: "s3",
    region: config.region,
    retries: 2,
  });
  // Path style (endpoint/bucket/key), not virtual-hosted (bucket.endpoint/key): R2 and
  // MinIO accept it on any endpoint, and it needs no wildcard DNS for local stores.
  const base = `${config.endpoint.replace(/\/+$/, "")}/${encodeURIComponent(config.bucket)}`;
  const objectUrl = (key: string) => `${base}/${encodeKey(key)}`;

  return {
    async put(key, bytes, contentType) {
      const res = await client.fetch(objectUrl(key), {
        method: "PUT",
        // The payload hash is signed, so the store rejects bytes changed on the way
        // (XAmzContentSHA256Mismatch) instead of keeping them; aws4fetch would otherwise
        // send UNSIGNED-PAYLOAD.
        headers: { "content-type": contentType, "x-amz-content-sha256": await sha256Hex(bytes) },
        body: bytes,
      });
      if (res.status !== 200) throw await s3Error("put", key, res);
      await res.body?.cancel(); // an unread body holds the connection (and trips Deno's leak checks)
    },

    async get(key) {
      const res = await client.fetch(objectUrl(key), { method: "GET" });
      if (res.status === 404) {
        const error = await s3Error("get", key, res);
        // Only a missing object is "not there"; a missing bucket is a misconfiguration.
        if (error.code === "NoSuchKey") return null;
        throw error;
      }
      if (res.status !== 200) throw await s3Error("get", key, res);
      const length = res.headers.get("content-length");
      const size = length === null ? Number.NaN : Number(length);
      // The download route sends this size as Content-Length: a guess would cut the image
      // short or hang the client, so a store that does not say is an error.
      if (!res.body || !Number.isSafeInteger(size) || size < 0) {
        await res.body?.cancel();
        throw new S3Error(
          `S3 get of "${key}" answered 200 without a usable Content-Length`,
          "get",
          200,
          null,
        );
      }
      return {
        body: res.body,
        contentType: res.headers.get("content-type") || "application/octet-stream",
        size,
      };
    },

    async delete(key) {
      const res = await client.fetch(objectUrl(key), { method: "DELETE" });
      if (res.status === 200 || res.status === 204) {
        await res.body?.cancel();
        return;
      }
      const error = await s3Error("delete", key, res);
      // S3 answers 204 for a missing key; some compatible stores answer 404 NoSuchKey,
      // which means the same thing. A 404 NoSuchBucket does not: deleting from the wrong
      // bucket must not look like success.
      if (res.status === 404 && error.code === "NoSuchKey") return;
      throw error;
    },
  };
}

/** A failed S3 call; `code` is S3's error Code (AccessDenied, NoSuchBucket…) when it sent one. */
class S3Error extends Error {
  override name = "S3Error";
  constructor(
    message: string,
    readonly operation: "put" | "get" | "delete",
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
  }
}

/**
 * Only the Code element is kept. The rest of S3's XML can hold the canonical request and
 * string to sign (never the secret, but noise in a log line), so it is dropped.
 */
async function s3Error(
  operation: "put" | "get" | "delete",
  key: string,
  res: Response,
): Promise<S3Error> {
  const text = await res.text().catch(() => "");
  const code = /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(text)?.[1] ?? null;
  return new S3Error(
    `S3 ${operation} of "${key}" failed: ${res.status} ${code ?? "(no error code)"}`,
    operation,
    res.status,
    code,
  );
}

/**
 * Each segment percent-encoded on its own, so "/" stays the separator and spaces, "+" or
 * "%" reach S3 as themselves. "." and ".." are refused: URL parsing resolves them (even as
 * %2E), so "a/../b" would silently read and write "b".
 */
function encodeKey(key: string): string {
  if (key.length === 0 || new TextEncoder().encode(key).length > MAX_KEY_BYTES) {
    throw new TypeError(`S3 key must be 1 to ${MAX_KEY_BYTES} UTF-8 bytes`);
  }
  const segments = key.split("/");
  if (segments.some((s) => s === "." || s === "..")) {
    throw new TypeError(`S3 key "${key}" has a "." or ".." segment`);
  }
  return segments.map(encodeURIComponent).join("/");
}
