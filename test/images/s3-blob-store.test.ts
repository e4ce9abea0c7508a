import { env } from "cloudflare:workers";
import { AwsClient } from "aws4fetch";
import { describe, expect, inject, it } from "vitest";
import { type S3Config, s3BlobStore } from "../../workers/adapters/s3/blob-store";
import { ConfigError, parseConfig } from "../../workers/config";
import { png } from "../support/workerd/images";

/**
 * The S3 store against the fake S3 (test/support/setup/fake-s3.ts), which checks signatures,
 * payload hashes, bucket and key as S3 does. Every test uses keys under a prefix of its
 * own, and reads the fake's record to see what really reached the bucket.
 */
const fake = inject("fakeS3");
const config: S3Config = {
  endpoint: fake.url,
  bucket: fake.bucket,
  region: fake.region,
  accessKeyId: fake.accessKeyId,
  secretAccessKey: fake.secretAccessKey,
};

interface StoredEntry {
  key: string;
  contentType: string;
  size: number;
}

async function storedInFake(key: string): Promise<StoredEntry | undefined> {
  const res = await fetch(`${fake.url}/__fake/objects`);
  const { objects } = (await res.json()) as { objects: StoredEntry[] };
  return objects.find((o) => o.key === key);
}

/** The port takes bytes on an ArrayBuffer of their own (as the upload route reads them). */
function image(width?: number, height?: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(png(width, height));
}

function uniqueKey(name = "photo.png"): string {
  return `images/s3-test-${crypto.randomUUID()}/${name}`;
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("S3 blob store", () => {
  it("puts bytes and gets them back with their type and size", async () => {
    const store = s3BlobStore(config);
    const key = uniqueKey();
    const bytes = image(7, 5);
    await store.put(key, bytes, "image/png");

    expect(await storedInFake(key)).toEqual({ key, contentType: "image/png", size: bytes.length });
    const blob = await store.get(key);
    expect(blob).not.toBeNull();
    expect(blob?.contentType).toBe("image/png");
    expect(blob?.size).toBe(bytes.length);
    expect(await bytesOf(blob!.body)).toEqual(bytes);
  });

  it("gets null for a key that was never stored", async () => {
    expect(await s3BlobStore(config).get(uniqueKey())).toBeNull();
  });

  it("deletes: the bucket no longer has the key and get answers null", async () => {
    const store = s3BlobStore(config);
    const key = uniqueKey();
    await store.put(key, image(), "image/png");
    expect(await storedInFake(key)).toBeDefined();

    await store.delete(key);
    expect(await storedInFake(key)).toBeUndefined();
    expect(await store.get(key)).toBeNull();
  });

  it("deleting a key that does not exist succeeds", async () => {
    await expect(s3BlobStore(config).delete(uniqueKey())).resolves.toBeUndefined();
  });

  it("keeps a key with spaces, unicode and reserved characters exactly as given", async () => {
    const store = s3BlobStore(config);
    // Each of these breaks a store that double-encodes, forgets to encode, or turns "+" into
    // a space: the fake would keep another key or reject the signature.
    const key = uniqueKey("summer sale/été 日本 (1)+50%'s!#2?.webp");
    const bytes = new Uint8Array(new TextEncoder().encode("not really a webp"));
    await store.put(key, bytes, "image/webp");

    expect((await storedInFake(key))?.key).toBe(key);
    const blob = await store.get(key);
    expect(blob?.contentType).toBe("image/webp");
    expect(await bytesOf(blob!.body)).toEqual(bytes);
  });

  it("refuses keys with . or .. segments, which URL parsing would resolve away", async () => {
    const store = s3BlobStore(config);
    const escaping = `images/s3-test-${crypto.randomUUID()}/../elsewhere.png`;
    await expect(store.put(escaping, image(), "image/png")).rejects.toThrow(/"\.\." segment/);
    await expect(store.get("images/./x.png")).rejects.toThrow(/segment/);
    await expect(store.put("", image(), "image/png")).rejects.toThrow(/1 to 1024/);
  });

  it("a wrong secret is rejected as SignatureDoesNotMatch, and the error never shows it", async () => {
    const secretAccessKey = "wrong-secret-that-must-not-be-logged-0123";
    const store = s3BlobStore({ ...config, secretAccessKey });
    const key = uniqueKey();

    const error = await store.put(key, image(), "image/png").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/put .* 403 SignatureDoesNotMatch/);
    expect((error as Error).message).not.toContain(secretAccessKey);
    expect(await storedInFake(key)).toBeUndefined();
  });

  it("an unknown access key is rejected as InvalidAccessKeyId", async () => {
    const store = s3BlobStore({ ...config, accessKeyId: "AKIAUNKNOWN" });
    await expect(store.get(uniqueKey())).rejects.toThrow(/get .* 403 InvalidAccessKeyId/);
  });

  it("a wrong bucket fails every operation with NoSuchBucket, never as a missing key", async () => {
    const store = s3BlobStore({ ...config, bucket: "no-such-bucket" });
    const key = uniqueKey();
    await expect(store.put(key, image(), "image/png")).rejects.toThrow(/404 NoSuchBucket/);
    await expect(store.get(key)).rejects.toThrow(/get .* 404 NoSuchBucket/);
    await expect(store.delete(key)).rejects.toThrow(/delete .* 404 NoSuchBucket/);
  });
});

describe("the fake S3 is strict (else passing tests above would prove little)", () => {
  const client = new AwsClient({ ...config, service: "s3" });

  it("refuses an unsigned request with AccessDenied", async () => {
    const res = await fetch(`${fake.url}/${fake.bucket}/${uniqueKey()}`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("<Code>AccessDenied</Code>");
  });

  it("refuses a body whose signed SHA-256 is another body's", async () => {
    const key = uniqueKey();
    const res = await client.fetch(`${fake.url}/${fake.bucket}/${key}`, {
      method: "PUT",
      // The hash of the empty body, sent with a non-empty one.
      headers: {
        "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      },
      body: "tampered",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>XAmzContentSHA256Mismatch</Code>");
    expect(await storedInFake(key)).toBeUndefined();
  });
});

describe("S3 settings", () => {
  const complete = {
    S3_ENDPOINT: "https://account.r2.cloudflarestorage.com/",
    S3_BUCKET: "try-it-images",
    S3_ACCESS_KEY_ID: "key-id",
    S3_SECRET_ACCESS_KEY: "secret",
  };
  const parse = (vars: Record<string, string>) => parseConfig({ ...env, ...vars });

  it("are off when none are set", () => {
    expect(parse({}).s3).toBeNull();
  });

  it("are read in full, with region auto and no trailing slash by default", () => {
    expect(parse(complete).s3).toEqual({
      endpoint: "https://account.r2.cloudflarestorage.com",
      bucket: "try-it-images",
      region: "auto",
      accessKeyId: "key-id",
      secretAccessKey: "secret",
    });
    expect(parse({ ...complete, S3_REGION: "eu-west-1" }).s3?.region).toBe("eu-west-1");
  });

  it("refuse a half-configured store, naming what is missing", () => {
    const { S3_BUCKET: _bucket, S3_SECRET_ACCESS_KEY: _secret, ...partial } = complete;
    expect(() => parse(partial)).toThrow(ConfigError);
    expect(() => parse(partial)).toThrow(/missing S3_BUCKET, S3_SECRET_ACCESS_KEY/);
  });

  it("refuse an endpoint that is not http(s) and a bucket name S3 would not accept", () => {
    expect(() => parse({ ...complete, S3_ENDPOINT: "ftp://files.example" })).toThrow(/S3_ENDPOINT/);
    expect(() => parse({ ...complete, S3_BUCKET: "Try_It" })).toThrow(/S3_BUCKET/);
  });
});
