// A local S3 for one bucket that checks requests the way S3 does (SigV4 signature, access
// key, region, clock, payload hash, bucket, key) and keeps objects in memory, so the S3
// blob store is tested against the rules it must pass in production, not a mock that
// says yes. Tests read what was stored through GET /__fake/objects (no auth).
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { AwsV4Signer } from "aws4fetch";
import { listenOnLoopback } from "./listen";

const CREDENTIALS = {
  bucket: "try-it-images",
  region: "auto",
  accessKeyId: "FAKES3TESTACCESSKEY",
  secretAccessKey: "fake-s3-test-secret-0123456789abcdefghij",
};
/** S3 refuses requests signed more than 15 minutes away from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const AUTH_HEADER =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

type StoredObject = { bytes: Buffer; contentType: string; etag: string };
type Problem = { status: number; code: string; message: string };

export async function startFakeS3() {
  const objects = new Map<string, StoredObject>();

  // A bug in the fake answers 500 (the client sees a failure) instead of crashing the run.
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error("[fake-s3]", err);
      sendError(res, fail(500, "InternalError", "The fake S3 failed; see the test log"));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    // Concatenated, not resolved against a base, so the path is taken exactly as sent.
    const url = new URL(`http://${req.headers.host}${req.url ?? "/"}`);
    if (url.pathname === "/__fake/objects" && req.method === "GET") {
      const listed = [...objects].map(([key, o]) => ({
        key,
        contentType: o.contentType,
        size: o.bytes.length,
      }));
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ objects: listed }));
    }
    const problem = (await checkSignature(req, url)) ?? checkPayload(req, body);
    if (problem) return sendError(res, problem);
    // Path style: /<bucket>/<key segments…>; the key is stored decoded, as S3 keeps it.
    const segments = decodeSegments(url.pathname);
    if (!segments) return sendError(res, fail(400, "InvalidURI", "Could not parse the URI"));
    const [, bucket, ...keySegments] = segments;
    if (bucket !== CREDENTIALS.bucket) {
      return sendError(res, fail(404, "NoSuchBucket", "The specified bucket does not exist"));
    }
    const key = keySegments.join("/");
    if (!key) return sendError(res, fail(501, "NotImplemented", "Only object requests here"));
    const stored = objects.get(key);
    switch (req.method) {
      case "GET":
      case "HEAD":
        if (!stored) return sendError(res, fail(404, "NoSuchKey", "The key does not exist"));
        res.writeHead(200, {
          "content-type": stored.contentType,
          "content-length": stored.bytes.length,
          etag: stored.etag,
        });
        return res.end(req.method === "GET" ? stored.bytes : undefined);
      case "PUT": {
        if (req.headers["content-length"] === undefined) {
          return sendError(res, fail(411, "MissingContentLength", "Send Content-Length"));
        }
        const etag = `"${createHash("md5").update(body).digest("hex")}"`;
        // S3's own default type when a PUT names none.
        const contentType = req.headers["content-type"] ?? "binary/octet-stream";
        objects.set(key, { bytes: body, contentType, etag });
        res.writeHead(200, { etag });
        return res.end();
      }
      case "DELETE":
        // S3 answers 204 whether or not the key existed.
        objects.delete(key);
        res.writeHead(204);
        return res.end();
      default:
        return sendError(res, fail(405, "MethodNotAllowed", "Method not allowed"));
    }
  }

  return { ...(await listenOnLoopback(server)), ...CREDENTIALS };
}

/**
 * Recomputes the signature from what arrived: the same method, URL, the headers the
 * client says it signed, and its x-amz-date, with the secret only the server knows.
 */
async function checkSignature(req: IncomingMessage, url: URL): Promise<Problem | null> {
  const auth = req.headers.authorization;
  if (!auth) return fail(403, "AccessDenied", "Anonymous access is not allowed");
  const match = AUTH_HEADER.exec(auth);
  if (!match) return fail(400, "AuthorizationHeaderMalformed", "Unreadable Authorization");
  const [, accessKeyId, scopeDate, region, signedHeaders = "", signature] = match;
  if (accessKeyId !== CREDENTIALS.accessKeyId) {
    return fail(403, "InvalidAccessKeyId", "The AWS access key Id does not exist");
  }
  if (region !== CREDENTIALS.region) {
    return fail(400, "AuthorizationHeaderMalformed", `Region must be ${CREDENTIALS.region}`);
  }
  const amzDate = header(req, "x-amz-date");
  const signedAt = Date.parse(
    amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"),
  );
  if (!(Math.abs(Date.now() - signedAt) <= MAX_SKEW_MS) || amzDate.slice(0, 8) !== scopeDate) {
    return fail(403, "RequestTimeTooSkewed", "x-amz-date is missing or too far from now");
  }
  const names = signedHeaders.split(";");
  if (!names.includes("host") || !header(req, "x-amz-content-sha256")) {
    return fail(400, "InvalidRequest", "host and x-amz-content-sha256 must be signed");
  }
  const signer = new AwsV4Signer({
    method: req.method ?? "GET",
    url: url.toString(),
    headers: names.filter((n) => n !== "host").map((n) => [n, header(req, n)]),
    accessKeyId: CREDENTIALS.accessKeyId,
    secretAccessKey: CREDENTIALS.secretAccessKey,
    region: CREDENTIALS.region,
    service: "s3",
    datetime: amzDate,
    allHeaders: true, // sign exactly the client's list, not aws4fetch's own choice
  });
  const expected = await signer.signature();
  if (signer.signedHeaders !== signedHeaders || expected !== signature) {
    return fail(403, "SignatureDoesNotMatch", "The request signature does not match");
  }
  return null;
}

/** The signed payload hash must be the body's, unless the client opted out of it. */
function checkPayload(req: IncomingMessage, body: Buffer): Problem | null {
  const claimed = header(req, "x-amz-content-sha256");
  if (claimed === "UNSIGNED-PAYLOAD") return null;
  if (claimed === createHash("sha256").update(body).digest("hex")) return null;
  return fail(400, "XAmzContentSHA256Mismatch", "The payload hash does not match the body");
}

/** Null when a segment is not valid percent-encoding ("%'s"), which S3 refuses too. */
function decodeSegments(pathname: string): string[] | null {
  try {
    return pathname.split("/").map(decodeURIComponent);
  } catch {
    return null;
  }
}

function fail(status: number, code: string, message: string): Problem {
  return { status, code, message };
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendError(res: ServerResponse, problem: Problem) {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${problem.code}</Code><Message>${problem.message}</Message></Error>`;
  res.writeHead(problem.status, { "content-type": "application/xml" });
  res.end(xml);
}
