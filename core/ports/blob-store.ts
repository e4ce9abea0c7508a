/**
 * Where image bytes live: R2 on Cloudflare, an S3-compatible store on Deno. Metadata
 * (owner, type, size, ETag) lives in Postgres; the store only keeps bytes under a key.
 */
export interface StoredBlob {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  size: number;
}

export interface BlobStore {
  put(key: string, bytes: Uint8Array<ArrayBuffer>, contentType: string): Promise<void>;
  get(key: string): Promise<StoredBlob | null>;
  delete(key: string): Promise<void>;
}
